-- Sliding log: at most `limit` counted requests in any `window` ms.
-- KEYS[1] sorted set of request times (score = ms, member = unique request id)
-- ARGV: now_ms, window_ms, limit, permits, member_prefix, count_rejected (0|1)
-- Returns {allowed 0|1, remaining, reset_ms, retry_ms}
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local permits = tonumber(ARGV[4])
local member = ARGV[5]
local count_rejected = ARGV[6] == '1'

redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
local allowed = count + permits <= limit
if allowed or count_rejected then
  for i = 1, permits do
    redis.call('ZADD', key, now, member .. ':' .. i)
  end
  count = count + permits
  if count > limit then
    -- only the newest `limit` entries can ever decide, keep those
    redis.call('ZREMRANGEBYRANK', key, 0, count - limit - 1)
    count = limit
  end
end
redis.call('PEXPIRE', key, window)

if allowed then
  -- the allowance is whole again once this, the newest request, has left the window
  return {1, limit - count, window, 0}
end
local idx = math.max(0, math.min(count - 1, count + permits - limit - 1))
local leaving = redis.call('ZRANGE', key, idx, idx, 'WITHSCORES')
local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
local retry = math.max(1, tonumber(leaving[2]) + window - now)
return {0, 0, tonumber(newest[2]) + window - now, retry}
