//! The Lua scripts of multi-field operations, each on the keys of one slot.

use super::person_scripts::PRELUDE;

/// Adds an entry to a user's index and evicts beyond a limit, atomically:
/// the Lua function `index_add(key, id, entry, now, limit, last_use,
/// device, replaced_ids)` that [`index_add`] and [`index_add_api`] call.
/// Takes out the replaced entries, sets `e:<id>` (the entry, `entries.rs`),
/// `u:<id>` (only when a last use is given: until its first touch a
/// sign-in's last use is its creation, and 33 bytes a person are not spent
/// on saying so) and (when there is a label) `d:<id>`, and extends the
/// key's life to the entry's expiry. Only when the hash holds more than
/// `limit` fields is it read whole: every entry is at least its `e:` field
/// (a sign-in indexed by a concurrent request may not have written its
/// record's fields yet), so fewer fields cannot be over the limit, while
/// any count of fields per entry could undercount. Read whole, expired
/// entries are dropped, then the least recently used others (by `u:`, else
/// the creation; ties by id) beyond the limit are taken out and returned as
/// `<id>\n<entry>\n<last use>\n<device>`. A sign-in of a person with
/// fewer fields than the limit costs a few field writes. Entries written
/// before the compact form are JSON, whose expiry is `x` and creation `c`.
/// An entry of a browser sign-in kept in this hash (kind `c`) is taken out
/// with `unindex` (`person_scripts.rs`): its record stays, under `r:<id>`,
/// for the caller to end; an expired one goes with its record.
const INDEX_ADD_FN: &str = r"
local function index_add(key, new, entry, now, limit, used, device, replaced)
  local function expiry(v)
    if string.sub(v, 1, 1) == '{' then return cjson.decode(v).x end
    return tonumber(string.match(v, '^[^:]*:[^:]*:[^:]*:[^:]*:(%d+)'))
  end
  local function created(v)
    if string.sub(v, 1, 1) == '{' then return cjson.decode(v).c end
    return tonumber(string.match(v, '^[^:]*:[^:]*:[^:]*:(%d+)'))
  end
  for _, old in ipairs(replaced) do unindex(key, old) end
  redis.call('HSET', key, 'e:' .. new, entry)
  if used == '' then redis.call('HDEL', key, 'u:' .. new) else redis.call('HSET', key, 'u:' .. new, used) end
  if device ~= '' then redis.call('HSET', key, 'd:' .. new, device) end
  local x = expiry(entry)
  if redis.call('EXPIRETIME', key) < x then redis.call('EXPIREAT', key, x) end
  if limit <= 0 or redis.call('HLEN', key) <= limit then return {} end
  local all = redis.call('HGETALL', key)
  local stored, used_at, labels, expired = {}, {}, {}, {}
  for i = 1, #all, 2 do
    local kind, id = string.sub(all[i], 1, 2), string.sub(all[i], 3)
    if kind == 'e:' then stored[id] = all[i + 1]
    elseif kind == 'r:' and expiry(all[i + 1]) <= now then expired[id] = true
    elseif kind == 'u:' then used_at[id] = tonumber(all[i + 1])
    elseif kind == 'd:' then labels[id] = all[i + 1] end
  end
  local others = {}
  for id, v in pairs(stored) do
    if expiry(v) <= now then
      if string.sub(v, 1, 2) == 'c:' then expired[id] = true
      else redis.call('HDEL', key, 'e:' .. id, 'u:' .. id, 'd:' .. id) end
    elseif id ~= new then
      others[#others + 1] = { id = id, entry = v, used = used_at[id] or created(v) or 0 }
    end
  end
  drop(key, fields_of(all, expired))
  local evicted = {}
  if #others + 1 > limit then
    table.sort(others, function(a, b)
      if a.used ~= b.used then return a.used < b.used end
      return a.id < b.id
    end)
    for i = 1, #others + 1 - limit do
      local o = others[i]
      unindex(key, o.id)
      evicted[#evicted + 1] = o.id .. '\n' .. o.entry .. '\n' .. (used_at[o.id] or '') .. '\n' .. (labels[o.id] or '')
    end
  end
  return evicted
end
";

/// KEYS: the index. ARGV: id, entry, now, limit, last use, device label,
/// then the ids it replaces. Returns the evicted entries.
pub(super) fn index_add() -> String {
    format!(
        "{PRELUDE}{INDEX_ADD_FN}return index_add(KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3]), \
         tonumber(ARGV[4]), ARGV[5], ARGV[6], {{unpack(ARGV, 7)}})"
    )
}

/// An API session on one Redis node: its index entry, then its record, in
/// one atomic call (on a cluster the two keys are in different slots).
/// KEYS: the index, the record. ARGV: as [`index_add`] with no replaced
/// ids, then the record and its lifetime in milliseconds. A failure in the
/// index leaves no record, so no session exists that a sign-out of all of
/// its person's sessions could miss.
pub(super) fn index_add_api() -> String {
    format!(
        "{PRELUDE}{INDEX_ADD_FN}local evicted = index_add(KEYS[1], ARGV[1], ARGV[2], \
         tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], ARGV[6], {{}})\n\
         redis.call('SET', KEYS[2], ARGV[7], 'PX', ARGV[8])\nreturn evicted"
    )
}

/// KEYS: a string. ARGV: the value it must still have, its new value.
/// Returns 1 if it was swapped (a read-modify-write that loses no
/// concurrent change: the caller reads again on 0).
pub(super) const SWAP_IF_EQUAL: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0";

/// KEYS: a hash. ARGV: a field that must exist, a field to set, its value.
/// Used to touch a session or an index entry without bringing back one that
/// was ended meanwhile.
pub(super) const SET_IF_PRESENT: &str = r"
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
end
return 0";

pub(super) const RECORD_VISIT: &str = r"
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
end
return 0";

/// Takes out every field of the named segments (ARGV) and returns the number
/// of fields left, then the removed fields and values.
pub(super) const REMOVE_SEGMENTS: &str = r"
local all = redis.call('HGETALL', KEYS[1])
local out, del = {}, {}
for i = 1, #all, 2 do
  local f = all[i]
  for j = 1, #ARGV do
    local seg = ARGV[j]
    if f == 's:' .. seg or f == 'e:' .. seg or f == 'n:' .. seg or f == 'u:' .. seg
        or string.sub(f, 1, #seg + 3) == 'v:' .. seg .. ':' then
      out[#out + 1] = f
      out[#out + 1] = all[i + 1]
      del[#del + 1] = f
      break
    end
  end
end
if #del > 0 then redis.call('HDEL', KEYS[1], unpack(del)) end
table.insert(out, 1, tostring(redis.call('HLEN', KEYS[1])))
return out";

/// KEYS: token → user, user → token. ARGV: uuid, token hash.
pub(super) const LINK: &str = r"
local linked = redis.call('GET', KEYS[2])
if linked then
  if linked == ARGV[2] then return 'ok' end
  return 'user_has_token'
end
if redis.call('EXISTS', KEYS[1]) == 1 then return 'token_linked' end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
return 'ok'";

/// KEYS: user → token, token → user. ARGV: the token hash the caller read.
/// Every key the script touches is declared (a cluster routes by them);
/// the token key is only known after a read, so the caller reads first and
/// the script refuses (-1) if the link changed in between.
pub(super) const CLEAR: &str = r"
local linked = redis.call('GET', KEYS[1])
if not linked then return 0 end
if linked ~= ARGV[1] then return -1 end
redis.call('DEL', KEYS[1], KEYS[2])
return 1";

pub(super) const HIT: &str = r"
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n";

/// KEYS: a counter of unix ms. ARGV: the new value, TTL (ms). Sets it if
/// higher (a mark that only rises), and renews its TTL.
pub(super) const RAISE: &str = r"
local was = tonumber(redis.call('GET', KEYS[1]) or '0')
local new = math.max(was, tonumber(ARGV[1]))
redis.call('SET', KEYS[1], string.format('%d', new), 'PX', ARGV[2])
return 0";

/// Rotates a refresh-token chain. KEYS: the chain's hash (`cur`, `cli`,
/// `end`, `rec`). ARGV: the presented hash, the client, the next hash, the
/// idle life (ms), now (unix ms). Returns `{0}` gone, `{1}` reused (the
/// chain is deleted), `{3}` another client's (unchanged), or `{2, rec}`
/// rotated and kept for the idle life, never past `end`.
pub(super) const REFRESH_ROTATE: &str = r"
local f = redis.call('HMGET', KEYS[1], 'cur', 'cli', 'end', 'rec')
if not f[1] then return {0} end
if f[2] ~= ARGV[2] then return {3} end
local left = tonumber(f[3]) - tonumber(ARGV[5])
if f[1] ~= ARGV[1] then redis.call('DEL', KEYS[1]) return {1} end
if left <= 0 then redis.call('DEL', KEYS[1]) return {0} end
redis.call('HSET', KEYS[1], 'cur', ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.min(tonumber(ARGV[4]), left))
return {2, f[4]}";
