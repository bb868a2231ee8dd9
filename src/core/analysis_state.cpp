#include "core/analysis_state.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <new>

#include "core/json.h"
#include "core/settings_schema.h"

namespace scalecalc {
namespace {

// ---------------------------------------------------------------------------------------------
// Validation shared by both decoders: the schema's rows.

bool Fail(std::string* error, std::string message) {
  *error = std::move(message);
  return false;
}

// Lengths, enums, rows and panel names could break the app; numbers only a computation.
bool IsStructural(const Setting& row) {
  return row.type == SettingType::kText || row.type == SettingType::kEnum ||
         row.type == SettingType::kRows || row.type == SettingType::kColumns;
}

// The binary format's field names (its messages): the state's member path.
std::string BinaryName(const Setting& row) {
  const std::string json = row.json;
  for (const char* group : {"reader.", "display."}) {
    if (json.rfind(group, 0) == 0) return json.substr(std::strlen(group));
  }
  return json;
}

}  // namespace

bool ValidateState(const AnalysisState& s, const DecodeLimits& limits, std::string* error) {
  for (const Setting& row : Settings()) {
    if (IsStructural(row) && !CheckSetting(row, s, limits, Audience::kPage, error)) return false;
  }
  if (!limits.check_values) return true;
  for (const Setting& row : Settings()) {
    if (!IsStructural(row) && !CheckSetting(row, s, limits, Audience::kPage, error)) return false;
  }
  return true;
}

// =============================================================================================
// Binary format.

namespace {

class Writer {
 public:
  void U64(uint64_t v) {
    while (v >= 0x80) {
      bytes_.push_back(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    bytes_.push_back(static_cast<uint8_t>(v));
  }
  void I64(int64_t v) {  // zigzag
    U64((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void Double(double x) {
    uint64_t bits;
    std::memcpy(&bits, &x, 8);
    for (int i = 0; i < 8; ++i) bytes_.push_back(static_cast<uint8_t>(bits >> (8 * i)));
  }
  void Bool(bool b) { U64(b ? 1 : 0); }
  void String(const std::string& s) {
    U64(s.size());
    bytes_.insert(bytes_.end(), s.begin(), s.end());
  }
  void Raw(uint8_t b) { bytes_.push_back(b); }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

// Reads fields in order; the first failure sticks and names the field it happened in.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}

  bool failed() const { return failed_; }
  const std::string& message() const { return message_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }

  bool U64(const char* field, uint64_t* v) {
    if (failed_) return false;
    uint64_t value = 0;
    for (int i = 0; i < 10; ++i) {
      if (p_ == end_) return Truncated(field);
      const uint8_t b = *p_++;
      // The 10th byte holds bit 63 only.
      if (i == 9 && b > 1) return Damaged(field, "malformed number");
      value |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
      if (!(b & 0x80)) {
        // Canonical form only, so that one state has one encoding.
        if (b == 0 && i > 0) return Damaged(field, "malformed number");
        *v = value;
        return true;
      }
    }
    return Damaged(field, "malformed number");
  }

  bool I64(const char* field, int64_t* v) {
    uint64_t u;
    if (!U64(field, &u)) return false;
    *v = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
    return true;
  }

  bool Int(const char* field, int* v) {
    int64_t wide;
    if (!I64(field, &wide)) return false;
    if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max()) {
      return Damaged(field, "number out of range");
    }
    *v = static_cast<int>(wide);
    return true;
  }

  bool Double(const char* field, double* x) {
    if (failed_) return false;
    if (remaining() < 8) return Truncated(field);
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits |= static_cast<uint64_t>(p_[i]) << (8 * i);
    p_ += 8;
    std::memcpy(x, &bits, 8);
    return true;
  }

  bool Bool(const char* field, bool* b) {
    uint64_t v;
    if (!U64(field, &v)) return false;
    if (v > 1) return Damaged(field, "value is neither 0 nor 1");
    *b = v == 1;
    return true;
  }

  bool EnumIndex(const char* field, int count, int* e) {
    uint64_t v;
    if (!U64(field, &v)) return false;
    if (v >= static_cast<uint64_t>(count)) {
      return Damaged(field, "unknown value " + std::to_string(v));
    }
    *e = static_cast<int>(v);
    return true;
  }

  // A count of items of at least `min_item_bytes` each, bounded before anything is allocated.
  bool Count(const char* field, size_t cap, const char* what, size_t min_item_bytes, size_t* n) {
    uint64_t v;
    if (!U64(field, &v)) return false;
    if (v > cap) {
      return Error(std::string("too many ") + what + " (" + std::to_string(v) + "; limit " +
                   std::to_string(cap) + ")");
    }
    if (v > remaining() / min_item_bytes) {
      return Error("the link is truncated (field '" + std::string(field) + "' declares " +
                   std::to_string(v) + " items, only " + std::to_string(remaining()) +
                   " bytes remain)");
    }
    *n = static_cast<size_t>(v);
    return true;
  }

  bool String(const char* field, size_t cap, const char* what, std::string* s) {
    uint64_t n;
    if (!U64(field, &n)) return false;
    if (n > cap) {
      return Error(std::string(what) + " too large (" + std::to_string(n) + " bytes; limit " +
                   std::to_string(cap) + ")");
    }
    if (n > remaining()) {
      return Error("the link is truncated (field '" + std::string(field) + "' declares " +
                   std::to_string(n) + " bytes, only " + std::to_string(remaining()) + " remain)");
    }
    s->assign(reinterpret_cast<const char*>(p_), static_cast<size_t>(n));
    p_ += n;
    return true;
  }

  bool Error(std::string message) {
    if (!failed_) {
      failed_ = true;
      message_ = std::move(message);
    }
    return false;
  }

 private:
  bool Truncated(const char* field) {
    return Error(std::string("the link is truncated (ended inside field '") + field + "')");
  }
  bool Damaged(const char* field, const std::string& what) {
    return Error("the link is damaged (" + what + " in field '" + field + "')");
  }

  const uint8_t* p_;
  const uint8_t* end_;
  bool failed_ = false;
  std::string message_;
};

// The fields of every version, in the schema's order (version 1's frozen, then each later
// version's). A new field is a schema row with the current version; nothing here changes.
bool IsData(const Setting& row) {
  return std::strcmp(row.json, "csv_text") == 0;
}

// Version 4's data field: 0 and the text, or 1 and a table (state_table.h).
enum DataForm : uint8_t { kDataText = 0, kDataTable = 1 };

void WriteRow(const Setting& row, const AnalysisState& state, Writer& w);

// The data's table depends on the text and the settings that change how it reads (the schema's
// Stage::kRead rows, the group column among them). The page encodes the state after every change,
// so the last table is kept for as long as those stay the same (reading the text twice, as
// CompactCsv does, is the cost of a large file).
bool CachedTable(const AnalysisState& state, const EncodeOptions& options, std::string* table) {
  struct Cache {
    std::vector<uint8_t> key;
    bool compact = false;
    std::string table;
  };
  thread_local Cache cache;
  Writer key;
  for (const Setting& row : Settings()) {
    if (row.stale == Stage::kRead) WriteRow(row, state, key);
  }
  const TableCodecOptions& t = options.table;
  for (bool b : {t.drop_unused, t.dictionaries, t.decimals, t.doubles}) key.Bool(b);
  if (key.bytes() != cache.key) {
    cache.key = std::move(key.bytes());
    cache.compact = CompactCsv(state, &cache.table, options.table);
    if (!cache.compact) cache.table.clear();
  }
  *table = cache.table;
  return cache.compact;
}

void WriteFields(const AnalysisState& state, const EncodeOptions& options, Writer& w) {
  for (const Setting& row : Settings()) {
    if (IsData(row)) {
      std::string table;
      if (options.compact_data && CachedTable(state, options, &table)) {
        w.U64(kDataTable);
        w.String(table);
      } else {
        w.U64(kDataText);
        w.String(state.csv_text);
      }
      continue;
    }
    WriteRow(row, state, w);
  }
}

void WriteRow(const Setting& row, const AnalysisState& state, Writer& w) {
  AnalysisState& s = const_cast<AnalysisState&>(state);  // the accessors only read here
  switch (row.type) {
    case SettingType::kNumber:
      w.Double(*row.number(s));
      break;
    case SettingType::kInteger:
      w.I64(*row.integer(s));
      break;
    case SettingType::kSeed:
      w.U64(*row.seed(s));
      break;
    case SettingType::kBool:
      w.Bool(*row.boolean(s));
      break;
    case SettingType::kEnum:
      w.U64(static_cast<uint64_t>(row.get_enum(s)));
      break;
    case SettingType::kText:
      w.String(*row.text(s));
      break;
    case SettingType::kRows:
      w.U64(row.rows(s)->size());
      for (int r : *row.rows(s)) w.I64(r);
      break;
    case SettingType::kColumns:
      w.U64(row.columns(s)->size());
      for (const auto& [role, header] : *row.columns(s)) {
        w.U64(static_cast<uint64_t>(role));
        w.String(header);
      }
      break;
  }
}

bool ReadFields(Reader& r, int version, const DecodeLimits& limits, AnalysisState* s) {
  for (const Setting& row : Settings()) {
    if (row.version > version) break;  // rows come version by version
    const std::string field = BinaryName(row);
    const char* name = field.c_str();
    if (IsData(row) && version >= 4) {
      int form = kDataText;
      if (!r.EnumIndex("csv_text.form", 2, &form)) return false;
      if (form == kDataText) {
        r.String(name, limits.max_csv_bytes, row.label, &s->csv_text);
        if (r.failed()) return false;
        continue;
      }
      std::string table, error;
      if (!r.String("csv_text.table", limits.max_input_bytes, "the data", &table)) return false;
      if (!ExpandCsv(table, limits.max_csv_bytes, &s->csv_text, &error)) {
        return r.Error("the link is damaged (its data table: " + error + ")");
      }
      continue;
    }
    switch (row.type) {
      case SettingType::kNumber:
        r.Double(name, row.number(*s));
        break;
      case SettingType::kInteger:
        r.Int(name, row.integer(*s));
        break;
      case SettingType::kSeed:
        r.U64(name, row.seed(*s));
        break;
      case SettingType::kBool:
        r.Bool(name, row.boolean(*s));
        break;
      case SettingType::kEnum: {
        int value = 0;
        if (r.EnumIndex(name, row.names->count(), &value)) row.set_enum(*s, value);
        break;
      }
      case SettingType::kText:
        r.String(name, limits.*(row.cap), row.label, row.text(*s));
        break;
      case SettingType::kRows: {
        size_t n = 0;
        if (r.Count(name, limits.max_excluded, "excluded rows", 1, &n)) {
          std::vector<int>& rows = *row.rows(*s);
          rows.resize(n);
          for (int& v : rows) r.Int(name, &v);
        }
        break;
      }
      case SettingType::kColumns: {
        size_t n = 0;
        // An override is at least 2 bytes: role and an empty header's length.
        if (r.Count(name, limits.max_columns, "column overrides", 2, &n)) {
          ColumnOverrides& columns = *row.columns(*s);
          columns.resize(n);
          const std::string role_field = field + ".role", header_field = field + ".header";
          for (auto& [role, header] : columns) {
            int value = 0;
            if (r.EnumIndex(role_field.c_str(), EnumNamesOf<Role>().count(), &value))
              role = static_cast<Role>(value);
            r.String(header_field.c_str(), limits.max_string, "column header", &header);
          }
        }
        break;
      }
    }
    if (r.failed()) return false;
  }
  s->plan.compute = s->compute;
  return !r.failed();
}

}  // namespace

std::vector<uint8_t> EncodeState(const AnalysisState& state, const EncodeOptions& options) {
  try {
    Writer w;
    w.bytes().reserve(64 + state.csv_text.size() + 5 * state.excluded_rows.size());
    w.Raw('S');
    w.Raw('C');
    w.Raw(static_cast<uint8_t>(kStateVersion));
    WriteFields(state, options, w);
    return std::move(w.bytes());
  } catch (const std::exception&) {  // out of memory
    return {};
  }
}

DecodeResult DecodeState(const uint8_t* data, size_t size, const DecodeLimits& limits) {
  DecodeResult result;
  try {
    if (data == nullptr || size == 0) {
      result.message = "the link is empty";
      return result;
    }
    if (size > limits.max_input_bytes) {
      result.message = "the link is too large (" + std::to_string(size) + " bytes; limit " +
                       std::to_string(limits.max_input_bytes) + ")";
      return result;
    }
    if (data[0] != 'S' || (size >= 2 && data[1] != 'C')) {
      result.message = "not a scalecalc link (bad magic)";
      return result;
    }
    if (size < 3) {
      result.message = std::string("the link is truncated (ended inside field '") +
                       (size < 2 ? "magic" : "version") + "')";
      return result;
    }
    const int version = data[2];
    result.version = version;
    if (version == 0) {
      result.message = "not a scalecalc link (version 0)";
      return result;
    }
    if (version > kStateVersion) {
      result.message = "this link was made by a newer version (" + std::to_string(version) +
                       ") of scalecalc; this page reads versions up to " +
                       std::to_string(kStateVersion);
      return result;
    }
    Reader r(data + 3, size - 3);
    AnalysisState state;
    if (!ReadFields(r, version, limits, &state)) {
      result.message = r.message();
      return result;
    }
    if (r.remaining() != 0) {
      result.message = "the link is damaged (" + std::to_string(r.remaining()) +
                       " trailing bytes after the state)";
      return result;
    }
    OneTokensPerSample(version, &state, &result.notice);
    std::string error;
    if (!ValidateState(state, limits, &error)) {
      result.message = "the link holds an invalid setting: " + error;
      return result;
    }
    result.state = std::move(state);
    result.ok = true;
  } catch (const std::exception&) {  // out of memory
    result = DecodeResult();
    result.message = "out of memory while reading the link";
  }
  return result;
}

// =============================================================================================
// JSON state file.

namespace {

constexpr char kBase64Chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(const std::string& in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = static_cast<uint8_t>(in[i]) << 16 | static_cast<uint8_t>(in[i + 1]) << 8 |
                       static_cast<uint8_t>(in[i + 2]);
    for (int k = 3; k >= 0; --k) out += kBase64Chars[(v >> (6 * k)) & 63];
  }
  if (i < in.size()) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<uint8_t>(in[i + 1]) << 8;
    out += kBase64Chars[(v >> 18) & 63];
    out += kBase64Chars[(v >> 12) & 63];
    out += i + 1 < in.size() ? kBase64Chars[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Strict: padded, no whitespace, zero padding bits.
bool Base64Decode(const std::string& in, std::string* out) {
  if (in.size() % 4 != 0) return false;
  out->clear();
  out->reserve(in.size() / 4 * 3);
  for (size_t i = 0; i < in.size(); i += 4) {
    uint32_t v = 0;
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = in[i + k];
      int d;
      if (c >= 'A' && c <= 'Z') {
        d = c - 'A';
      } else if (c >= 'a' && c <= 'z') {
        d = c - 'a' + 26;
      } else if (c >= '0' && c <= '9') {
        d = c - '0' + 52;
      } else if (c == '+') {
        d = 62;
      } else if (c == '/') {
        d = 63;
      } else if (c == '=' && i + 4 == in.size() && k >= 2) {
        d = 0;
        ++pad;
      } else {
        return false;
      }
      if (pad > 0 && c != '=') return false;  // data after padding
      v = v << 6 | static_cast<uint32_t>(d);
    }
    if ((pad == 1 && (v & 0xff)) || (pad == 2 && (v & 0xffff))) return false;
    out->push_back(static_cast<char>(v >> 16));
    if (pad < 2) out->push_back(static_cast<char>((v >> 8) & 0xff));
    if (pad < 1) out->push_back(static_cast<char>(v & 0xff));
  }
  return true;
}

// Well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF): exactly what
// nlohmann's dump accepts.
bool IsValidUtf8(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (end - p <= n) return false;
    for (int k = 1; k <= n; ++k) {
      if ((p[k] & 0xc0) != 0x80) return false;
      cp = cp << 6 | (p[k] & 0x3f);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    p += n + 1;
  }
  return true;
}

Json StringToJson(const std::string& s) {
  if (IsValidUtf8(s)) return s;
  return Json{{"base64", Base64Encode(s)}};
}

Json DoubleToJson(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
  return x;
}

Json EnumToJson(const EnumNames& names, int value) {
  if (names.Has(value)) return names.Name(value);
  return value;  // out of range: keep it visible, the decoder will refuse it
}

// Thrown inside the JSON reader only, caught in StateFromJson.
struct JsonError {
  std::string message;
};

[[noreturn]] void Throw(std::string message) {
  throw JsonError{std::move(message)};
}

const char* TypeName(const Json& j) {
  if (j.is_number_integer()) return "integer";
  return j.type_name();
}

[[noreturn]] void WrongType(const std::string& path, const char* expected, const Json& got) {
  Throw("state file field '" + path + "' must be " + expected + " (got " + TypeName(got) + ")");
}

double ReadDouble(const Json& j, const std::string& path) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  }
  WrongType(path, "a number (or \"NaN\", \"Infinity\", \"-Infinity\")", j);
}

int ReadInt(const Json& j, const std::string& path) {
  if (j.is_number_unsigned()) {
    if (j.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int>::max())) {
      return static_cast<int>(j.get<uint64_t>());
    }
  } else if (j.is_number_integer()) {
    const int64_t v = j.get<int64_t>();
    if (v >= std::numeric_limits<int>::min() && v <= std::numeric_limits<int>::max()) {
      return static_cast<int>(v);
    }
  } else {
    WrongType(path, "an integer", j);
  }
  Throw("state file field '" + path + "' is out of range");
}

uint64_t ReadU64(const Json& j, const std::string& path) {
  if (j.is_number_unsigned()) return j.get<uint64_t>();
  if (j.is_number_integer() && j.get<int64_t>() >= 0)
    return static_cast<uint64_t>(j.get<int64_t>());
  WrongType(path, "an integer >= 0", j);
}

void ReadString(const Json& j, const std::string& path, size_t cap, const char* what,
                std::string* s) {
  if (j.is_string()) {
    *s = j.get<std::string>();
  } else if (j.is_object() && j.size() == 1 && j.contains("base64") && j["base64"].is_string()) {
    if (!Base64Decode(j["base64"].get<std::string>(), s)) {
      Throw("state file field '" + path + "' holds invalid base64");
    }
  } else {
    WrongType(path, "a string", j);
  }
  if (s->size() > cap) {
    Throw(std::string(what) + " too large (" + std::to_string(s->size()) + " bytes; limit " +
          std::to_string(cap) + ")");
  }
}

int ReadEnum(const Json& j, const std::string& path, const EnumNames& names) {
  if (!j.is_string()) WrongType(path, "a name", j);
  const std::string& name = j.get_ref<const std::string&>();
  int value = 0;
  if (!names.FindExact(name, &value)) {
    Throw("state file field '" + path + "' has unknown value '" + name.substr(0, 64) +
          "' (expected one of " + names.List() + ")");
  }
  return value;
}

// The value at a dotted path, or nullptr when absent (the field keeps its default).
const Json* Lookup(const Json& root, const std::string& path) {
  const Json* node = &root;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    const std::string key = path.substr(start, dot == std::string::npos ? dot : dot - start);
    const auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
    if (dot == std::string::npos) return node;
    if (!node->is_object()) WrongType(path.substr(0, dot), "an object", *node);
    start = dot + 1;
  }
}

// Where a value goes when writing, creating the objects on its path.
Json& Slot(Json& root, const std::string& path) {
  Json* node = &root;
  size_t start = 0;
  for (size_t dot; (dot = path.find('.', start)) != std::string::npos; start = dot + 1) {
    node = &(*node)[path.substr(start, dot - start)];
  }
  return (*node)[path.substr(start)];
}

// Refuses names this version does not know (typos would otherwise pass silently).
void RefuseUnknown(const Json& object, const std::string& path, int version) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (path.empty() && (it.key() == "format" || it.key() == "version")) continue;
    const std::string full = path.empty() ? it.key() : path + "." + it.key();
    bool leaf = false, inner = false;
    for (const Setting& row : Settings()) {
      if (row.version > version) break;
      const std::string_view json = row.json;
      leaf = leaf || json == full;
      inner = inner || (json.size() > full.size() && json.substr(0, full.size()) == full &&
                        json[full.size()] == '.');
    }
    if (leaf) continue;
    if (inner && it->is_object()) {
      RefuseUnknown(*it, full, version);
      continue;
    }
    Throw("state file has unknown field '" + full.substr(0, 64) + "'");
  }
}

void ReadColumns(const Json& columns, const std::string& path, const DecodeLimits& limits,
                 ColumnOverrides* out) {
  if (!columns.is_array()) WrongType(path, "an array", columns);
  if (columns.size() > limits.max_columns) {
    Throw("too many column overrides (" + std::to_string(columns.size()) + "; limit " +
          std::to_string(limits.max_columns) + ")");
  }
  const std::string item = path + "[]";
  for (const Json& column : columns) {
    if (!column.is_object()) WrongType(item, "an object", column);
    if (!column.contains("role") || !column.contains("header")) {
      Throw("each of " + path + " needs a \"role\" and a \"header\"");
    }
    for (auto it = column.begin(); it != column.end(); ++it) {
      if (it.key() != "role" && it.key() != "header")
        Throw("state file has unknown field '" + item + "." + it.key().substr(0, 64) + "'");
    }
    std::pair<Role, std::string> entry{
        static_cast<Role>(ReadEnum(column["role"], item + ".role", EnumNamesOf<Role>())), ""};
    ReadString(column["header"], item + ".header", limits.max_string, "column header",
               &entry.second);
    out->push_back(std::move(entry));
  }
}

void ReadRow(const Setting& row, const Json& j, const DecodeLimits& limits, AnalysisState* s) {
  const std::string path = row.json;
  switch (row.type) {
    case SettingType::kNumber:
      *row.number(*s) = ReadDouble(j, path);
      break;
    case SettingType::kInteger:
      *row.integer(*s) = ReadInt(j, path);
      break;
    case SettingType::kSeed:
      *row.seed(*s) = ReadU64(j, path);
      break;
    case SettingType::kBool:
      if (!j.is_boolean()) WrongType(path, "true or false", j);
      *row.boolean(*s) = j.get<bool>();
      break;
    case SettingType::kEnum:
      row.set_enum(*s, ReadEnum(j, path, *row.names));
      break;
    case SettingType::kText:
      ReadString(j, path, limits.*(row.cap), row.label, row.text(*s));
      break;
    case SettingType::kRows: {
      if (!j.is_array()) WrongType(path, "an array", j);
      if (j.size() > limits.max_excluded) {
        Throw("too many excluded rows (" + std::to_string(j.size()) + "; limit " +
              std::to_string(limits.max_excluded) + ")");
      }
      std::vector<int>& rows = *row.rows(*s);
      rows.clear();
      rows.reserve(j.size());
      for (const Json& r : j) rows.push_back(ReadInt(r, path + "[]"));
      break;
    }
    case SettingType::kColumns:
      row.columns(*s)->clear();
      ReadColumns(j, path, limits, row.columns(*s));
      break;
  }
}

Json RowToJson(const Setting& row, const AnalysisState& state) {
  AnalysisState& s = const_cast<AnalysisState&>(state);  // the accessors only read here
  switch (row.type) {
    case SettingType::kNumber:
      return DoubleToJson(*row.number(s));
    case SettingType::kInteger:
      return *row.integer(s);
    case SettingType::kSeed:
      return *row.seed(s);
    case SettingType::kBool:
      return *row.boolean(s);
    case SettingType::kEnum:
      return EnumToJson(*row.names, row.get_enum(s));
    case SettingType::kText:
      return StringToJson(*row.text(s));
    case SettingType::kRows:
      return *row.rows(s);
    case SettingType::kColumns: {
      Json columns = Json::array();
      for (const auto& [role, header] : *row.columns(s)) {
        columns.push_back({{"role", EnumToJson(EnumNamesOf<Role>(), static_cast<int>(role))},
                           {"header", StringToJson(header)}});
      }
      return columns;
    }
  }
  return nullptr;
}

// Before parsing: nesting depth and the number of values, so that a hostile file cannot make
// the parser build a huge tree. A state has depth 4 and about max_excluded + 100 values.
bool PrescanJson(std::string_view text, size_t max_values, std::string* error) {
  int depth = 0;
  size_t values = 1;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > 16) return Fail(error, "the state file is nested too deeply");
      ++values;
    } else if (c == ']' || c == '}') {
      --depth;
    } else if (c == ',') {
      if (++values > max_values) {
        return Fail(error, "the state file holds too many values (limit " +
                               std::to_string(max_values) + ")");
      }
    }
  }
  return true;
}

}  // namespace

std::string StateToJson(const AnalysisState& s) {
  try {
    Json j = {{"format", "scalecalc-state"}, {"version", kStateVersion}};
    for (const Setting& row : Settings()) Slot(j, row.json) = RowToJson(row, s);
    return j.dump(1) + "\n";
  } catch (const std::exception&) {  // out of memory (strings are valid UTF-8 by construction)
    return "";
  }
}

DecodeLimits StateFileLimits() {
  DecodeLimits limits;
  limits.max_csv_bytes = kMaxDataBytes;
  limits.max_input_bytes = kMaxDataBytes;
  return limits;
}

DecodeResult StateFromJson(std::string_view text, const DecodeLimits& limits) {
  DecodeResult result;
  try {
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      result.message = "the state file is empty";
      return result;
    }
    if (text.size() > limits.max_input_bytes) {
      result.message = "the state file is too large (" + std::to_string(text.size()) +
                       " bytes; limit " + std::to_string(limits.max_input_bytes) + ")";
      return result;
    }
    // Room for every excluded row plus the other fields (saturating: limits may be SIZE_MAX).
    const size_t max_values =
        limits.max_excluded > SIZE_MAX - 1000 ? SIZE_MAX : limits.max_excluded + 1000;
    if (!PrescanJson(text, max_values, &result.message)) return result;
    Json j;
    try {
      j = Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error& e) {
      result.message =
          "not a scalecalc state file (invalid JSON near byte " + std::to_string(e.byte) + ")";
      return result;
    } catch (const Json::out_of_range&) {
      result.message = "the state file holds a number too large for a double";
      return result;
    }
    const auto format = j.is_object() ? j.find("format") : j.end();
    if (!j.is_object() || format == j.end() || *format != "scalecalc-state") {
      result.message = "not a scalecalc state file (no \"format\": \"scalecalc-state\")";
      return result;
    }
    const auto version_it = j.find("version");
    if (version_it == j.end() || !version_it->is_number_integer()) {
      result.message = "the state file has no integer \"version\"";
      return result;
    }
    // Unsigned values above int64 read as the largest: still "newer".
    const int64_t version =
        version_it->is_number_unsigned()
            ? static_cast<int64_t>(std::min<uint64_t>(version_it->get<uint64_t>(), INT64_MAX))
            : version_it->get<int64_t>();
    if (version < 1) {
      result.message = "the state file has an unknown version (" + std::to_string(version) + ")";
      return result;
    }
    if (version > kStateVersion) {
      result.message = "this state file was made by a newer version (" + std::to_string(version) +
                       ") of scalecalc; this page reads versions up to " +
                       std::to_string(kStateVersion);
      return result;
    }
    result.version = static_cast<int>(version);

    AnalysisState s;
    if (!j.contains("csv_text")) Throw("the state file has no \"csv_text\"");
    for (const Setting& row : Settings()) {
      if (row.version > result.version) break;  // rows come version by version
      if (const Json* value = Lookup(j, row.json)) ReadRow(row, *value, limits, &s);
    }
    RefuseUnknown(j, "", result.version);
    OneTokensPerSample(result.version, &s, &result.notice);

    std::string error;
    if (!ValidateState(s, limits, &error)) {
      result.message = "the state file holds an invalid setting: " + error;
      return result;
    }
    result.state = std::move(s);
    result.ok = true;
  } catch (const JsonError& e) {
    const int version = result.version;
    result = DecodeResult();
    result.version = version;
    result.message = e.message;
  } catch (const std::exception&) {  // out of memory, or a nlohmann error we did not foresee
    const int version = result.version;
    result = DecodeResult();
    result.version = version;
    result.message = "the state file could not be read";
  }
  return result;
}

void OneTokensPerSample(int version, AnalysisState* state, std::string* notice) {
  AnalysisState& s = *state;
  if (version < 4 && s.tokens_per_sample > 0) {
    // Before version 4 the reader's size said that the batch column counts samples.
    s.batch_column = BatchColumn::kSamples;
    if (s.tokens_per_sample != s.compute.tokens_per_sample) {
      char text[320];
      std::snprintf(text, sizeof text,
                    "This analysis was saved with two tokens per sample (%.10g for the batch "
                    "column, %.10g for the compute count); there is one now, and %.10g serves "
                    "both (see tokens per sample).",
                    s.tokens_per_sample, s.compute.tokens_per_sample, s.tokens_per_sample);
      if (notice) *notice = text;
      s.compute.tokens_per_sample = s.tokens_per_sample;
    }
  }
  s.plan.compute = s.compute;
}

namespace {

// Whether a header names video: one of its words (letters, split at anything else, any case) is
// video(s), clip(s), frame(s), latent(s) or vae.
bool NamesVideo(std::string_view header) {
  std::string word;
  const auto video_word = [](const std::string& w) {
    for (const char* name :
         {"video", "videos", "clip", "clips", "frame", "frames", "latent", "latents", "vae"}) {
      if (w == name) return true;
    }
    return false;
  };
  for (size_t i = 0; i <= header.size(); ++i) {
    const char c = i < header.size() ? header[i] : ' ';
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      word += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    } else {
      if (video_word(word)) return true;
      word.clear();
    }
  }
  return false;
}

bool IsPowerOfTwo(double x) {
  if (!(x >= 1 && x <= 1e18)) return false;
  int exponent = 0;
  return std::frexp(x, &exponent) == 0.5;
}

}  // namespace

ModelKind GuessModelKind(const ComputeModel& compute, const ReadResult& read) {
  if (compute.kind == ComputeKind::kDit) return ModelKind::kVideo;
  for (const std::string& header : read.headers) {
    if (NamesVideo(header)) return ModelKind::kVideo;
  }
  for (double size : read.sample_sizes) {
    if (!IsPowerOfTwo(size)) return ModelKind::kVideo;
  }
  return ModelKind::kLanguage;
}

ModelKind ShownModelKind(const AnalysisState& state, const ReadResult& read) {
  return state.model_kind == ModelKind::kGuess ? GuessModelKind(state.compute, read)
                                               : state.model_kind;
}

ServingDemand ServingDemandOf(const AnalysisState& state, ModelKind kind) {
  ServingDemand demand = state.plan.demand;
  if (kind != ModelKind::kLanguage) return demand;
  demand.tokens_per_video = state.compute.tokens_per_sample;
  demand.sampling_steps = 1;
  demand.guidance = false;
  demand.cross_attention = false;
  demand.text_tokens = 0;
  return demand;
}

}  // namespace scalecalc
