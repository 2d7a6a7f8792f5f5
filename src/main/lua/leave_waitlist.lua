--[[
leave_waitlist.lua: a buyer leaves the waitlist (idempotent); the others move up.

KEYS[1] waitlist  sorted set: userId by join time
ARGV[1] userId
ARGV[2] saleId
ARGV[3] pub/sub channel for sale state changes

Returns 1 if the buyer was waiting, 0 otherwise. Publishes "waitlist:<saleId>" when the
waitlist changed, so position streams refresh.

Java side: io.flashsale.sale.lua.LeaveWaitlistScript.
]]
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
if removed == 1 then
  redis.call('PUBLISH', ARGV[3], 'waitlist:' .. ARGV[2])
end
return removed
