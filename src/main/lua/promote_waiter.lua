--[[
promote_waiter.lua: a sale with buckets > 1 freed a unit while buyers wait; the caller handed
the unit to the waitlist's head under a new order id (bucket_hand_over.lua) and registered them
in their home bucket (bucket_register.lua), and now, on the hub (bucket 0's shard), takes the
buyer off the waitlist and records the promotion, atomically. If the buyer left the waitlist
meanwhile, nothing is recorded and the caller hands the unit to the next head or gives it back.

KEYS[1] waitlist  sorted set: userId by join time
KEYS[2] promoted  hash: userId -> orderId given from the waitlist
KEYS[3] meta      hash: dropAtS
ARGV[1] userId (the head the caller reserved for)
ARGV[2] new orderId
ARGV[3] saleId
ARGV[4] pub/sub channel for sale state changes

Returns 1 when promoted, 0 when the buyer was no longer waiting.

Java side: io.flashsale.sale.lua.PromoteWaiterScript (KEYS from SaleKeys.promoteWaiterKeys()).
]]
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local dropAt = redis.call('HGET', KEYS[3], 'dropAtS')
if dropAt and redis.call('TTL', KEYS[2]) == -1 then
  redis.call('EXPIREAT', KEYS[2], dropAt)
end
redis.call('PUBLISH', ARGV[4], 'waitlist:' .. ARGV[3])
return 1
