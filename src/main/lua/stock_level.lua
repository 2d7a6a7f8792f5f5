--[[
stock_level.lua: the hub of a sale with buckets (bucket 0's shard) learns that one bucket became
empty or got stock again, and decides whether the SALE is sold out: every bucket empty. The
transition is detected once and broadcast once: "soldout:<saleId>" when the last bucket empties
(the sold-out flag is set with SET NX), "available:<saleId>" when a bucket of a sold-out sale gets
a unit back (the flag is deleted). Reports may arrive out of order (two instances, one slow):
each carries the bucket's flip counter, and a report older than the one recorded is ignored.

KEYS[1] levels   hash: bucket -> "flips|empty" ('1' empty, '0' has stock)
KEYS[2] soldout  string: present while every bucket is empty
KEYS[3] meta     hash: dropAtS (the hub's keys expire with the sale)
ARGV[1] bucket index
ARGV[2] flips (the bucket's counter after the transition)
ARGV[3] '1' the bucket became empty, '0' it got stock again
ARGV[4] number of buckets
ARGV[5] saleId
ARGV[6] pub/sub channel for sale state changes

Returns 2 when it published "soldout", 3 when it published "available", 1 when the level was
recorded without a sale-level transition, 0 when the report was stale (ignored).

Java side: io.flashsale.sale.lua.StockLevelScript (KEYS from SaleKeys.stockLevelKeys()).
]]
local recorded = redis.call('HGET', KEYS[1], ARGV[1])
if recorded then
  local seen = tonumber(string.match(recorded, '^([0-9]+)|'))
  if seen and seen >= tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. ARGV[3])
local dropAt = redis.call('HGET', KEYS[3], 'dropAtS')
if dropAt and redis.call('TTL', KEYS[1]) == -1 then
  redis.call('EXPIREAT', KEYS[1], dropAt)
end
local empty = 0
local levels = redis.call('HVALS', KEYS[1])
for _, level in ipairs(levels) do
  if string.sub(level, -2) == '|1' then
    empty = empty + 1
  end
end
if empty >= tonumber(ARGV[4]) then
  if redis.call('SET', KEYS[2], '1', 'NX') then
    if dropAt then
      redis.call('EXPIREAT', KEYS[2], dropAt)
    end
    redis.call('PUBLISH', ARGV[6], 'soldout:' .. ARGV[5])
    return 2
  end
  return 1
end
if redis.call('DEL', KEYS[2]) == 1 then
  redis.call('PUBLISH', ARGV[6], 'available:' .. ARGV[5])
  return 3
end
return 1
