--[[
resolve_reservation.lua: settle the doubt left by a purchase.lua call whose reply never came
(client-side timeout, connection cut): did it reserve a unit for this order id or not?

  - if the reservation exists, the script ran: the caller writes the order and answers 201;
  - otherwise the order id is voided in the same atomic step, so a purchase.lua call still in
    flight (queued behind a stall) can never reserve under this id afterwards. The caller may
    then truthfully answer 503: nothing is, or will be, held for the buyer.

KEYS[1] reservations  hash: orderId -> userId|reservedAtMs
KEYS[2] voided        set: order ids declared dead
KEYS[3] meta          hash: gen, dropAtS
ARGV[1] orderId

Returns {code, ...}:
   1, reservation, gen   reserved: reservation is the entry userId|reservedAtMs
                         (io.flashsale.sale.ReservationEntry), gen the sale's rebuild generation
   0, '', ''             not reserved; the id is now void

Java side: io.flashsale.sale.lua.ResolveReservationScript (Args, Code, Result; KEYS from
SaleKeys.Bucket.resolveKeys()). Change both together; LuaContractTests reaches every code.
]]
local reservation = redis.call('HGET', KEYS[1], ARGV[1])
local meta = redis.call('HMGET', KEYS[3], 'gen', 'dropAtS')
if reservation then
  return {1, reservation, meta[1] or '0'}
end
redis.call('SADD', KEYS[2], ARGV[1])
if redis.call('TTL', KEYS[2]) == -1 then
  -- no meta (keys lost): keep the fence for a day, far beyond any in-flight call
  redis.call('EXPIRE', KEYS[2], 86400)
  if meta[2] then
    redis.call('EXPIREAT', KEYS[2], meta[2])
  end
end
return {0, '', ''}
