--[[
bucket_unregister.lua: forget that a buyer holds an order, if (and only if) the hash still
points at that very order: the buyer registry of the buyer's home bucket, or the hub's promoted
hash. Run before bucket_release.lua gives the unit back (sales with buckets > 1). Idempotent;
an entry that points at a newer order of the buyer is left alone.

KEYS[1] hash  userId -> orderId (a home bucket's buyers, or the hub's promoted)
ARGV[1] userId
ARGV[2] orderId

Returns 1 when the entry was removed, 0 otherwise (left alone).

Java side: io.flashsale.sale.lua.BucketUnregisterScript.
]]
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 1
end
return 0
