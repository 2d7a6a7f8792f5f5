--[[
bucket_release.lua: give the unit of one reservation back to the stock bucket it was taken from
(sales with buckets > 1; one-bucket sales use release_or_promote.lua). The reservation entry is
the gate, so releasing twice frees one unit (idempotent per orderId). The buyer's registry entry
(in their home bucket) and any waitlist promotion are handled by the caller, before this step
(bucket_unregister.lua): a crash in between leaves the reservation, which the reconciler frees.

When the bucket's stock goes 0 -> 1 its meta field 'flips' is incremented and returned: the
caller reports the level to the hub (stock_level.lua), which clears the sale's sold-out state.

KEYS[1] reservations  hash: orderId -> userId|reservedAtMs
KEYS[2] stock         integer: units available in this bucket
KEYS[3] meta          hash: flips
ARGV[1] orderId

Returns {code, availableStock, flips, userId}:
   0, '', '', ''                          nothing to release (already released, paid, or unknown)
   1, availableStock, flips, userId       released; flips is '' unless the bucket went 0 -> 1;
                                          userId parsed from the reservation userId|reservedAtMs

Java side: io.flashsale.sale.lua.BucketReleaseScript (KEYS from SaleKeys.Bucket.releaseKeys());
the reservation format is io.flashsale.sale.ReservationEntry in Java.
]]
local reservation = redis.call('HGET', KEYS[1], ARGV[1])
if not reservation then
  return {0, '', '', ''}
end
redis.call('HDEL', KEYS[1], ARGV[1])
local available = redis.call('INCR', KEYS[2])
local flips = ''
if available == 1 then
  flips = tostring(redis.call('HINCRBY', KEYS[3], 'flips', 1))
end
local userId = string.match(reservation, '^(.*)|[0-9]+$') or ''
return {1, tostring(available), flips, userId}
