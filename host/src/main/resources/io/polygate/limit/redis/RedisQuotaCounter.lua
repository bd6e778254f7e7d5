-- Quota: `max` requests per period; the first request after the period starts a fresh one.
-- KEYS[1] hash {u = used, r = period end ms (0 = never)}
-- ARGV: max, used_at_start, renewal_ms (0 = never), permits, now_ms
-- Returns {allowed 0|1, used, renews_at_ms}
local max = tonumber(ARGV[1])
local used_at_start = tonumber(ARGV[2])
local renewal = tonumber(ARGV[3])
local permits = tonumber(ARGV[4])
local now = tonumber(ARGV[5])
local s = redis.call('HMGET', KEYS[1], 'u', 'r')
local used = tonumber(s[1])
local renews = tonumber(s[2])
if used == nil or renews == nil then
  used = used_at_start
  renews = 0
  if renewal > 0 then renews = now + renewal end
elseif renews ~= 0 and now >= renews then
  used = 0
  renews = now + renewal
end
local allowed = 0
if used + permits <= max then
  used = used + permits
  allowed = 1
end
redis.call('HSET', KEYS[1], 'u', used, 'r', renews)
if renews ~= 0 then
  redis.call('PEXPIRE', KEYS[1], renews - now + 60000)
else
  redis.call('PERSIST', KEYS[1])
end
return {allowed, used, renews}
