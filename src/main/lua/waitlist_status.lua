--[[
waitlist_status.lua: where a buyer stands, read atomically.

KEYS[1] waitlist  sorted set: userId by join time
KEYS[2] promoted  hash: userId -> orderId given from the waitlist
ARGV[1] userId

Returns {code, ...}:
   1, promotedOrderId, ''       promoted
   2, position, waitlistLength  waiting (1-based position)
   0, '', ''                    not in the waitlist

Java side: io.flashsale.sale.lua.WaitlistStatusScript (KEYS from SaleKeys.waitlistStatusKeys()).
]]
local orderId = redis.call('HGET', KEYS[2], ARGV[1])
if orderId then
  return {1, orderId, ''}
end
local rank = redis.call('ZRANK', KEYS[1], ARGV[1])
if rank then
  return {2, tostring(rank + 1), tostring(redis.call('ZCARD', KEYS[1]))}
end
return {0, '', ''}
