-- Quota counter as it stands, read-only (the admin API's view of a key).
-- KEYS[1] hash {u = used, r = period end ms (0 = never)}, as RedisQuotaCounter.lua writes it
-- Returns {used, renews_at_ms}, nil members when the counter does not exist
return redis.call('HMGET', KEYS[1], 'u', 'r')
