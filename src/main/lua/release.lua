--[[
release.lua: give a reserved unit back to the sale, atomically and at most once per order.

Used when the order never became durable (failed batch: compensation), and when a pending
order is cancelled. The reservation entry is the gate: only the call that removes it
returns the unit, so repeating the call for the same order is harmless.

KEYS[1] stock         integer: units still available
KEYS[2] buyers        hash: userId -> orderId
KEYS[3] reservations  hash: orderId -> userId|reservedAtMs
ARGV[1] orderId
ARGV[2] saleId
ARGV[3] pub/sub channel for sale state changes

Returns {code, detail}:
   1, available stock after the release    released
   0, ''                                   nothing to release (already released or paid)
]]
local reservation = redis.call('HGET', KEYS[3], ARGV[1])
if not reservation then
  return {0, ''}
end
local userId = string.match(reservation, '^(.*)|[0-9]+$')
redis.call('HDEL', KEYS[3], ARGV[1])
if userId and redis.call('HGET', KEYS[2], userId) == ARGV[1] then
  redis.call('HDEL', KEYS[2], userId)
end
local available = redis.call('INCR', KEYS[1])
if available == 1 then
  redis.call('PUBLISH', ARGV[3], 'available:' .. ARGV[2])
end
return {1, tostring(available)}
