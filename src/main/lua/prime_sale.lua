--[[
prime_sale.lua: load a sale into Redis: before its creation is acknowledged (available = stock),
or when a rebuild restores a sale whose keys Redis lost (available = stock - active orders).

Writes the sale window and the available units. Priming again never resets a stock that
purchases have already decremented (SET NX). The meta hash is written last, because its
presence is what purchase.lua takes as "this sale is live".

KEYS[1] meta   hash: startsAtMs, endsAtMs, priceCents, stock, paymentTimeoutSeconds, gen, dropAtS, paid
KEYS[2] stock  integer: units still available
ARGV[1] startsAtMs
ARGV[2] endsAtMs
ARGV[3] priceCents
ARGV[4] stock
ARGV[5] paymentTimeoutSeconds ('' = service default)
ARGV[6] expireAtSeconds: unix time after which the keys may be dropped
ARGV[7] available units to set if the stock key is absent
ARGV[8] '1' for a sale that was just created: whatever Redis still holds under its id
        (a database restored from backup, ids reused) is dropped, never inherited
ARGV[9] gen: the sale's rebuild generation in the database (0 for a new sale); orders are
        written only while the database still holds the generation they were reserved under
ARGV[10] paid: units already paid (0 for a new sale; counted from the database by a rebuild)
ARGV[11] (optional, sales with stock buckets) flips: the stock-level counter a rebuilt bucket
        starts from, '1' when it is rebuilt empty (an odd count means empty, see stock_level.lua)
KEYS[3..7] buyers, reservations, waitlist, promoted, voided (dropped when ARGV[8] is '1');
        whichever exist get the sale's expiry too (a rebuild writes them before priming)

Returns 1 when the stock was written, 0 when it already existed (kept).

Java side: io.flashsale.sale.lua.PrimeSaleScript (Args = ARGV; KEYS from SaleKeys.Bucket.primeKeys()).
]]
if ARGV[8] == '1' then
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7])
end
local written = redis.call('SET', KEYS[2], ARGV[7], 'NX')
redis.call('HSET', KEYS[1], 'startsAtMs', ARGV[1], 'endsAtMs', ARGV[2],
  'priceCents', ARGV[3], 'stock', ARGV[4], 'paymentTimeoutSeconds', ARGV[5],
  'gen', ARGV[9], 'dropAtS', ARGV[6], 'paid', ARGV[10])
if ARGV[11] and ARGV[11] ~= '' then
  redis.call('HSET', KEYS[1], 'flips', ARGV[11])
end
for i = 1, 7 do
  redis.call('EXPIREAT', KEYS[i], ARGV[6])
end
if written then
  return 1
end
return 0
