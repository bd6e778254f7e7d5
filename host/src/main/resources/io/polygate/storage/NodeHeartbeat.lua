-- Node heartbeat: this node is alive now (or leaves); nodes silent for ttl_ms drop out.
-- KEYS[1] sorted set of node ids scored by their last beat (ms)
-- ARGV: now_ms, node_id, ttl_ms, leaving (0|1)
-- Returns the live node ids
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[3])
if ARGV[4] == '1' then
  redis.call('ZREM', KEYS[1], ARGV[2])
else
  redis.call('ZADD', KEYS[1], now, ARGV[2])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ttl)
redis.call('PEXPIRE', KEYS[1], ttl * 2)
return redis.call('ZRANGE', KEYS[1], 0, -1)
