--[[
confirm.lua: a payment made the unit the buyer's for good: stop watching its reservation and
count it as paid, once per order (the reservation entry is the gate, so a retried confirmation
or the reconciler settling it later counts nothing twice).

KEYS[1] reservations  hash: orderId -> userId|reservedAtMs
KEYS[2] meta          hash: ..., paid (units paid, for the sale page)
ARGV[1] orderId

Returns 1 when this call confirmed the order, 0 when there was nothing to confirm.

Java side: io.flashsale.sale.lua.ConfirmScript (KEYS from SaleKeys.Bucket.confirmKeys()).
]]
if redis.call('HDEL', KEYS[1], ARGV[1]) == 1 then
  if redis.call('EXISTS', KEYS[2]) == 1 then
    redis.call('HINCRBY', KEYS[2], 'paid', 1)
  end
  return 1
end
return 0
