-- One sign-in per person, for people ARGV[2]..ARGV[3], written as the
-- layout ARGV[1] stores it: the same fields, lengths and expiry as a real
-- sign-in on news (`redis-cli HGETALL` after one), with counters in place
-- of random text so that every key is distinct. Lengths: the person's uuid
-- 32 hex digits in a key, 22 base64url characters in a value; a cookie's
-- hash 22; a sign-in id 16.
local layout, from, to = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local ttl = 43200000
local created, expires, used = '1796505540', '1796548740', '1796505600'
for i = from, to do
  local person = string.format('%032x', i)
  local person64 = string.format('P%021d', i)
  local sid = string.format('S%021d', i)
  local id = string.format('I%015d', i)
  local email = string.format('p%09d@example.com', i)
  local s, x = 'sso:s:{' .. sid .. '}', 'sso:x:{' .. person .. '}'
  if layout == 'today' or layout == 'today-used' then
    redis.call('HSET', s,
      's:news', person64 .. ':' .. created .. ':' .. expires .. ':0:' .. id,
      'e:news', email, 'n:news', 'Load User', 'v:news:news', '0')
    redis.call('HSET', x,
      'e:' .. id, 'b:' .. sid .. ':news:' .. created .. ':' .. expires .. ':0',
      'd:' .. id, 'a browser')
    if layout == 'today-used' then
      redis.call('HSET', s, 'u:news', used)
      redis.call('HSET', x, 'u:' .. id, used)
    end
    redis.call('PEXPIRE', s, ttl)
    redis.call('PEXPIRE', x, ttl)
  elseif layout == 'two-keys-floor' then
    redis.call('HSET', s, 's', '0')
    redis.call('HSET', x, 'e', '0')
    redis.call('PEXPIRE', s, ttl)
    redis.call('PEXPIRE', x, ttl)
  elseif layout == 'one-key' or layout == 'one-key-used' then
    -- The sign-in in its person's hash, found by the cookie's hash and
    -- segment; the profile copy, the visit and the device by its id.
    local sign_in = id .. ':' .. created .. ':' .. expires .. ':0'
    if layout == 'one-key-used' then
      -- The last use beside the rest: a touch rewrites one field.
      sign_in = sign_in .. ':' .. used
    end
    redis.call('HSET', x, 's:' .. sid .. ':news', sign_in,
      'e:' .. id, email, 'n:' .. id, 'Load User', 'v:' .. id .. ':news', '0',
      'd:' .. id, 'a browser')
    redis.call('PEXPIRE', x, ttl)
  elseif layout == 'one-key-floor' then
    redis.call('HSET', x, 'e', '0')
    redis.call('PEXPIRE', x, ttl)
  else
    return redis.error_reply('unknown layout ' .. layout)
  end
end
return to - from + 1
