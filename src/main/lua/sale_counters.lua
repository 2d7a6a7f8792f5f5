--[[
sale_counters.lua: the live figures of the sale page, read in one round trip (read only).

KEYS[1] meta          hash: ..., paid
KEYS[2] stock         integer: units available
KEYS[3] reservations  hash: orderId -> userId|reservedAtMs (units held by unpaid orders)
KEYS[4] waitlist      sorted set: buyers waiting

Returns {primed, available, reserved, paid, waitlistLength}; primed is 0 when Redis does not
hold the sale (keys lost): the figures are then unknown.

Java side: io.flashsale.sale.lua.SaleCountersScript (KEYS from SaleKeys.Bucket.counterKeys()).
]]
local primed = redis.call('EXISTS', KEYS[1])
return {primed, tonumber(redis.call('GET', KEYS[2]) or '0'), redis.call('HLEN', KEYS[3]),
  tonumber(redis.call('HGET', KEYS[1], 'paid') or '0'), redis.call('ZCARD', KEYS[4])}
