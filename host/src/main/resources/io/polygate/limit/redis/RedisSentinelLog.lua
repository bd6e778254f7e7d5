-- Sentinel sliding log: the sliding log, and once a request is denied a block key
-- short-circuits every check for `window` ms.
-- KEYS[1] sorted set of request times, KEYS[2] block key
-- ARGV: now_ms, window_ms, limit, permits, member_prefix
-- Returns {allowed 0|1, remaining, reset_ms, retry_ms}
local key = KEYS[1]
local block = KEYS[2]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local permits = tonumber(ARGV[4])
local member = ARGV[5]

-- the block key holds the time it ends (the caller's clock); its TTL only cleans up
local blocked_until = tonumber(redis.call('GET', block) or '0')
if blocked_until > now then
  return {0, 0, blocked_until - now, blocked_until - now}
end
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count + permits <= limit then
  for i = 1, permits do
    redis.call('ZADD', key, now, member .. ':' .. i)
  end
  redis.call('PEXPIRE', key, window)
  return {1, limit - count - permits, window, 0}
end
redis.call('SET', block, now + window, 'PX', window + 1000)
return {0, 0, window, window}
