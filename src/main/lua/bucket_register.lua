--[[
bucket_register.lua: record a buyer in their home bucket's registry after their unit was taken
from another bucket (bucket_reserve.lua with ARGV[3] = '0'): the one-active-order-per-buyer
rule for sales with buckets. The registry is the arbiter: of two concurrent purchases by one
buyer, only one registers; the caller gives the other's unit back to the bucket it came from.

KEYS[1] buyers  hash: userId -> orderId (the home bucket's registry)
KEYS[2] meta    hash: dropAtS (the registry expires with the sale)
ARGV[1] userId
ARGV[2] orderId

Returns {code, existingOrderId}:
   1, ''                registered (or already registered with this very order: a retry)
  -4, existingOrderId   the buyer already holds another active order

Java side: io.flashsale.sale.lua.BucketRegisterScript (KEYS from SaleKeys.Bucket.registerKeys()).
]]
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing and existing ~= ARGV[2] then
  return {-4, existing}
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local dropAt = redis.call('HGET', KEYS[2], 'dropAtS')
if dropAt and redis.call('TTL', KEYS[1]) == -1 then
  redis.call('EXPIREAT', KEYS[1], dropAt)
end
return {1, ''}
