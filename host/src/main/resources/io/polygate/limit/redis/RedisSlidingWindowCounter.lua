-- Sliding window counter (Kong): previous window's count weighted by the share still in view.
-- KEYS[1] counter of the current window, KEYS[2] counter of the previous window
-- ARGV: limit, window_ms, elapsed_ms (into the current window), permits
-- Returns {allowed 0|1, previous, current before this check}
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local elapsed = tonumber(ARGV[3])
local permits = tonumber(ARGV[4])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local estimate = previous * ((window - elapsed) / window) + current
if estimate + permits <= limit + 1e-9 then
  redis.call('INCRBY', KEYS[1], permits)
  redis.call('PEXPIRE', KEYS[1], 2 * window + 1000)
  return {1, previous, current}
end
return {0, previous, current}
