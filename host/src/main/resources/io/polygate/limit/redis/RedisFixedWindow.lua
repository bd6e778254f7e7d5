-- Fixed window: one counter per aligned window, expiring with it.
-- KEYS[1] counter of the current window
-- ARGV: limit, permits, ttl_ms (time to the window end, plus a margin)
-- Returns {allowed 0|1, count after this check}
local limit = tonumber(ARGV[1])
local permits = tonumber(ARGV[2])
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count + permits > limit then
  return {0, count}
end
count = redis.call('INCRBY', KEYS[1], permits)
if count == permits then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return {1, count}
