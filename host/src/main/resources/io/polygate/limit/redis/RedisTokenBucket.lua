-- Token bucket: capacity `rate`, refilled at rate/per; what was consumed carries over a rate change
-- (3 taken of 10, then 15: 12 left).
-- KEYS[1] hash {t = tokens, ts = last refill ms, c = capacity}
-- ARGV: rate, per_ms, now_ms, permits
-- Returns {allowed 0|1, tokens left (string, fractional)}
local rate = tonumber(ARGV[1])
local per = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local permits = tonumber(ARGV[4])
local s = redis.call('HMGET', KEYS[1], 't', 'ts', 'c')
local tokens = tonumber(s[1])
local ts = tonumber(s[2])
local cap = tonumber(s[3])
if tokens == nil or ts == nil or cap == nil then
  tokens = rate
  ts = now
  cap = rate
end
if cap ~= rate and cap > 0 then
  tokens = math.max(0, tokens + (rate - cap))
end
local per_token = per / rate
tokens = math.min(rate, tokens + math.max(0, now - ts) / per_token)
ts = math.max(now, ts)
local allowed = 0
if tokens >= permits then
  tokens = tokens - permits
  allowed = 1
end
redis.call('HSET', KEYS[1], 't', string.format('%.17g', tokens), 'ts', ts, 'c', string.format('%.17g', rate))
redis.call('PEXPIRE', KEYS[1], math.ceil(per) + 1000)
return {allowed, string.format('%.17g', tokens)}
