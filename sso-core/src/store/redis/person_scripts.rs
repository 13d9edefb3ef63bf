//! The Lua scripts of a browser's sign-ins kept in their person's hash
//! (fields in `person_records.rs`). Each works on that one key; a browser
//! with two people signed in costs one call per person.

/// Helpers every script on a person's hash shares: `sign_ins(all, h)`, the
/// ids of browser `h`'s sign-ins (an `e:` or `r:` field whose value starts
/// `c:<h>:`) with their segment; `fields_of(all, ids)`, every field of the
/// sign-ins in the set `ids` as field, value pairs; `drop(key, pairs)`,
/// which deletes those fields; and `unindex(key, id)`, which takes an entry
/// out of the index: a sign-in kept here moves to `r:<id>` with its record
/// (it is ended by its record's removal, which the caller does next), any
/// other entry goes with its `u:` and `d:`. `unindex` returns the entry.
pub(super) const PRELUDE: &str = r"
local function sign_ins(all, h)
  local prefix, out = 'c:' .. h .. ':', {}
  for i = 1, #all, 2 do
    local kind = string.sub(all[i], 1, 2)
    if (kind == 'e:' or kind == 'r:') and string.sub(all[i + 1], 1, #prefix) == prefix then
      out[string.sub(all[i], 3)] = string.match(all[i + 1], '^c:[^:]*:([^:]*):')
    end
  end
  return out
end
local function fields_of(all, ids)
  local out = {}
  for i = 1, #all, 2 do
    local f = all[i]
    local id = string.match(f, '^[erpvud]:([^:]+)$')
    if id and ids[id] then
      out[#out + 1] = f
      out[#out + 1] = all[i + 1]
    end
  end
  return out
end
local function drop(key, pairs_)
  local names = {}
  for i = 1, #pairs_, 2 do names[#names + 1] = pairs_[i] end
  if #names > 0 then redis.call('HDEL', key, unpack(names)) end
end
local function unindex(key, id)
  local v = redis.call('HGET', key, 'e:' .. id)
  if not v then return nil end
  if string.sub(v, 1, 2) == 'c:' then
    redis.call('HSET', key, 'r:' .. id, v)
    redis.call('HDEL', key, 'e:' .. id, 'd:' .. id)
  else
    redis.call('HDEL', key, 'e:' .. id, 'u:' .. id, 'd:' .. id)
  end
  return v
end
";

/// Writes browser `h`'s sign-ins of one person, replacing any others of
/// that browser there. KEYS: the person's hash. ARGV: `h`, how long to keep
/// the key at least (ms), then per sign-in the arguments of
/// `person_records::sign_in_args`. The entry keeps the device code the
/// index gave it. A sign-in whose entry the index no longer holds (a
/// concurrent sign-in's limit took it out) is written as `r:`, for the
/// caller's confirmation to end.
const SAVE: &str = r"
local key, h = KEYS[1], ARGV[1]
local keep = {}
for i = 3, #ARGV, 5 do keep[ARGV[i]] = true end
local all = redis.call('HGETALL', key)
local stale = {}
for id in pairs(sign_ins(all, h)) do
  if not keep[id] then stale[id] = true end
end
drop(key, fields_of(all, stale))
for i = 3, #ARGV, 5 do
  local id, entry = ARGV[i], ARGV[i + 1]
  local f = 'e:' .. id
  local old = redis.call('HGET', key, f)
  if not old then
    f = 'r:' .. id
    old = redis.call('HGET', key, f)
  end
  -- The device's code the index wrote stays at the entry's end.
  local device = old and string.match(old, '^c:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:(%d%d)$')
  if device then entry = entry .. ':' .. device end
  redis.call('HSET', key, f, entry, 'p:' .. id, ARGV[i + 2])
  if ARGV[i + 3] ~= '' then redis.call('HSET', key, 'u:' .. id, ARGV[i + 3]) end
  if ARGV[i + 4] == '' then redis.call('HDEL', key, 'v:' .. id)
  else redis.call('HSET', key, 'v:' .. id, ARGV[i + 4]) end
end
local ttl = tonumber(ARGV[2])
if ttl > 0 and redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
return 0";

/// Ends browser `h`'s sign-ins in the given segments (none given: all),
/// record and index entry in one step. KEYS: the person's hash. ARGV: `h`,
/// then the segments. Returns how many of the browser's sign-ins are left
/// there, then the removed fields and values.
const DROP: &str = r"
local all = redis.call('HGETALL', KEYS[1])
local segs = nil
if #ARGV > 1 then
  segs = {}
  for k = 2, #ARGV do segs[ARGV[k]] = true end
end
local ids, left = {}, 0
for id, seg in pairs(sign_ins(all, ARGV[1])) do
  if segs == nil or segs[seg] then ids[id] = true else left = left + 1 end
end
local out = fields_of(all, ids)
drop(KEYS[1], out)
table.insert(out, 1, tostring(left))
return out";

/// Records a site's visit to browser `h`'s sign-in in a segment, if it is
/// still there: sets the client's entry in the sign-in's `v:` list. KEYS:
/// the person's hash. ARGV: `h`, the segment, the client, the logout URI's
/// index. (A script: concurrent visits of two sites both land.)
const VISIT: &str = r"
local all = redis.call('HGETALL', KEYS[1])
local client, index = ARGV[3], ARGV[4]
for id, seg in pairs(sign_ins(all, ARGV[1])) do
  if seg == ARGV[2] then
    local visits = {}
    for v in string.gmatch(redis.call('HGET', KEYS[1], 'v:' .. id) or '', '[^,]+') do
      if string.match(v, '^(.*)=') ~= client then visits[#visits + 1] = v end
    end
    visits[#visits + 1] = client .. '=' .. index
    redis.call('HSET', KEYS[1], 'v:' .. id, table.concat(visits, ','))
  end
end
return 0";

/// KEYS: an index. ARGV: ids. Takes the entries out (see `unindex`) and
/// returns them as `<id>\n<entry>\n<last use>\n<device>`.
const INDEX_REMOVE: &str = r"
local out = {}
for i = 1, #ARGV do
  local id = ARGV[i]
  local v = redis.call('HMGET', KEYS[1], 'e:' .. id, 'u:' .. id, 'd:' .. id)
  if v[1] then
    out[#out + 1] = id .. '\n' .. v[1] .. '\n' .. (v[2] or '') .. '\n' .. (v[3] or '')
    unindex(KEYS[1], id)
  end
end
return out";

pub(super) fn save() -> String {
    format!("{PRELUDE}{SAVE}")
}
pub(super) fn drop_sign_ins() -> String {
    format!("{PRELUDE}{DROP}")
}
pub(super) fn visit() -> String {
    format!("{PRELUDE}{VISIT}")
}
pub(super) fn index_remove() -> String {
    format!("{PRELUDE}{INDEX_REMOVE}")
}
