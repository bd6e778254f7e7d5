// The auth plugin of the njs row: look header Key up in a table; the user becomes X-User upstream.
var KEYS = { k1: "alice", k2: "bob", k3: "carol" };
function user(r) {
    var k = r.headersIn['Key'];
    var u = k ? KEYS[k] : undefined;
    return u === undefined ? "" : u;
}
export default { user };
