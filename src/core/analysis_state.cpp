#include "core/analysis_state.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <new>
#include <nlohmann/json.hpp>

namespace scalecalc {
namespace {

// Name tables of our own for enums whose ToString lives on other branches: the state file must
// not change when those tables do. Index = enum value.
constexpr const char* kRoleNames[] = {"params", "tokens",           "flops", "lr", "batch",
                                      "loss",   "tokens_per_sample"};
constexpr int kRoleCount = 7;
constexpr const char* kBadRowNames[] = {"reject", "skip"};
constexpr int kBadRowCount = 2;
constexpr const char* kOptimumNames[] = {"argmin", "band", "smooth"};
constexpr int kOptimumCount = 3;
constexpr const char* kComputeNames[] = {"6n", "dit"};
constexpr int kComputeCount = 2;
constexpr const char* kBudgetUnitNames[] = {"flops", "pf_days", "gpu_hours"};
constexpr int kBudgetUnitCount = 3;
constexpr const char* kPanelNames[] = {"data", "fit", "plots", "planner", "cost"};

std::string Num(double x) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", x);
  return buffer;
}

// ---------------------------------------------------------------------------------------------
// Validation shared by both decoders.

bool Fail(std::string* error, std::string message) {
  *error = std::move(message);
  return false;
}

// A finite number in [lo, hi].
bool CheckRange(double x, double lo, double hi, const char* what, std::string* error) {
  if (std::isfinite(x) && x >= lo && x <= hi) return true;
  return Fail(error, std::string(what) + " must be a finite number in [" + Num(lo) + ", " +
                         Num(hi) + "] (got " + Num(x) + ")");
}

bool CheckPositive(double x, bool allow_infinity, const char* what, std::string* error) {
  if (x > 0 && (allow_infinity || std::isfinite(x))) return true;  // false for NaN
  return Fail(error, std::string(what) + " must be a " + (allow_infinity ? "" : "finite ") +
                         "positive number (got " + Num(x) + ")");
}

bool CheckString(const std::string& s, size_t cap, const char* what, std::string* error) {
  if (s.size() <= cap) return true;
  return Fail(error, std::string(what) + " too large (" + std::to_string(s.size()) +
                         " bytes; limit " + std::to_string(cap) + ")");
}

}  // namespace

const char* ToString(BudgetUnit unit) {
  const int i = static_cast<int>(unit);
  return i >= 0 && i < kBudgetUnitCount ? kBudgetUnitNames[i] : "?";
}

bool FromString(const std::string& text, BudgetUnit* unit) {
  for (int i = 0; i < kBudgetUnitCount; ++i) {
    if (text == kBudgetUnitNames[i]) {
      *unit = static_cast<BudgetUnit>(i);
      return true;
    }
  }
  return false;
}

bool IsKnownPanel(std::string_view panel) {
  for (const char* name : kPanelNames) {
    if (panel == name) return true;
  }
  return false;
}

bool ValidateState(const AnalysisState& s, const DecodeLimits& limits, std::string* error) {
  // What could break the app: always checked.
  if (!CheckString(s.csv_text, limits.max_csv_bytes, "csv text", error) ||
      !CheckString(s.data_name, limits.max_string, "data name", error) ||
      !CheckString(s.compare_preset, limits.max_string, "compare preset name", error) ||
      !CheckString(s.group_column, limits.max_string, "group column", error) ||
      !CheckString(s.open_panel, limits.max_string, "panel name", error)) {
    return false;
  }
  if (s.columns.size() > limits.max_columns) {
    return Fail(error, "too many column overrides (" + std::to_string(s.columns.size()) +
                           "; limit " + std::to_string(limits.max_columns) + ")");
  }
  for (const auto& [role, header] : s.columns) {
    const int r = static_cast<int>(role);
    if (r < 0 || r >= kRoleCount) return Fail(error, "unknown column role " + std::to_string(r));
    if (!CheckString(header, limits.max_string, "column header", error)) return false;
  }
  if (static_cast<int>(s.bad_rows) < 0 || static_cast<int>(s.bad_rows) >= kBadRowCount) {
    return Fail(error, "unknown bad-row policy " + std::to_string(static_cast<int>(s.bad_rows)));
  }
  if (static_cast<int>(s.compute.kind) < 0 || static_cast<int>(s.compute.kind) >= kComputeCount) {
    return Fail(error, "unknown compute model " + std::to_string(static_cast<int>(s.compute.kind)));
  }
  if (s.excluded_rows.size() > limits.max_excluded) {
    return Fail(error, "too many excluded rows (" + std::to_string(s.excluded_rows.size()) +
                           "; limit " + std::to_string(limits.max_excluded) + ")");
  }
  for (int row : s.excluded_rows) {
    if (row < 1 || row > limits.max_row) {
      return Fail(error, "excluded row " + std::to_string(row) + " is not a data row (1 to " +
                             std::to_string(limits.max_row) + ")");
    }
  }
  if (static_cast<int>(s.fit.optimum) < 0 || static_cast<int>(s.fit.optimum) >= kOptimumCount) {
    return Fail(error, "unknown optimum method " + std::to_string(static_cast<int>(s.fit.optimum)));
  }
  if (static_cast<int>(s.budget_unit) < 0 || static_cast<int>(s.budget_unit) >= kBudgetUnitCount) {
    return Fail(error, "unknown budget unit " + std::to_string(static_cast<int>(s.budget_unit)));
  }
  if (!IsKnownPanel(s.open_panel)) {
    return Fail(error, "unknown panel '" + s.open_panel.substr(0, 64) + "'");
  }
  if (!limits.check_values) return true;

  // Values no computation accepts. Loose on purpose: the options' own IsValid stays the judge
  // of what a fit or a plan accepts; these only keep NaN, negatives and absurd sizes out.
  if (!CheckRange(s.tokens_per_sample, 0, 1e9, "tokens per sample", error)) return false;
  // Our own checks first (compact messages), then the model's own rules.
  if (!CheckRange(s.compute.tokens_per_sample, 1, 1e12, "compute model tokens per sample", error) ||
      !CheckPositive(s.compute.width_per_depth, false, "compute model width per depth", error)) {
    return false;
  }
  std::string compute_error;
  if (!s.compute.IsValid(&compute_error)) return Fail(error, "compute model: " + compute_error);
  const FitOptions& f = s.fit;
  if (!CheckRange(f.band_tolerance, 0, 1, "fit band tolerance", error) ||
      !CheckRange(f.cell_tolerance, 0, 1, "fit cell tolerance", error) ||
      !CheckPositive(f.huber_delta, false, "fit Huber delta", error)) {
    return false;
  }
  if (f.bootstrap_samples < 0 || f.bootstrap_samples > 1000000) {
    return Fail(error, "bootstrap samples must be in [0, 1000000] (got " +
                           std::to_string(f.bootstrap_samples) + ")");
  }
  const PlanOptions& p = s.plan;
  if (!CheckPositive(p.budget_flops, false, "budget", error) ||
      !CheckPositive(p.max_params, true, "largest model size", error) ||
      !CheckPositive(p.max_tokens, true, "largest token count", error) ||
      !CheckRange(p.loss_tolerance, 0, 1, "loss tolerance", error) ||
      !CheckRange(p.demand.videos, 0, 1e30, "videos to generate", error) ||
      !CheckPositive(p.demand.sampling_steps, false, "sampling steps", error) ||
      !CheckPositive(p.demand.tokens_per_video, false, "tokens per video", error) ||
      !CheckPositive(s.gpu_flops_per_second, false, "GPU throughput", error)) {
    return false;
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

  template <typename Enum>
  bool EnumValue(const char* field, int count, Enum* e) {
    uint64_t v;
    if (!U64(field, &v)) return false;
    if (v >= static_cast<uint64_t>(count)) {
      return Damaged(field, "unknown value " + std::to_string(v));
    }
    *e = static_cast<Enum>(v);
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

// The field order of every version. To add version 2: bump kStateVersion, append the new fields
// at the end of both functions (the reader guarded by `if (version >= 2)`), give them defaults
// in AnalysisState, and add a hand-built version-2 string to the tests beside version 1's.
void WriteFields(const AnalysisState& s, Writer& w) {
  // Version 1.
  w.String(s.csv_text);
  w.String(s.data_name);
  w.U64(s.columns.size());
  for (const auto& [role, header] : s.columns) {
    w.U64(static_cast<uint64_t>(role));
    w.String(header);
  }
  w.Double(s.tokens_per_sample);
  w.U64(static_cast<uint64_t>(s.bad_rows));
  w.U64(static_cast<uint64_t>(s.compute.kind));
  w.Double(s.compute.tokens_per_sample);
  w.Double(s.compute.width_per_depth);
  w.U64(s.excluded_rows.size());
  for (int row : s.excluded_rows) w.I64(row);
  w.U64(static_cast<uint64_t>(s.fit.optimum));
  w.Double(s.fit.band_tolerance);
  w.Double(s.fit.cell_tolerance);
  w.Double(s.fit.huber_delta);
  w.I64(s.fit.bootstrap_samples);
  w.U64(s.fit.seed);
  w.Bool(s.fit.extrapolation_check);
  w.Double(s.plan.budget_flops);
  w.Double(s.plan.max_params);
  w.Double(s.plan.max_tokens);
  w.Double(s.plan.loss_tolerance);
  w.Double(s.plan.demand.videos);
  w.Double(s.plan.demand.sampling_steps);
  w.Bool(s.plan.demand.guidance);
  w.Double(s.plan.demand.tokens_per_video);
  w.U64(static_cast<uint64_t>(s.budget_unit));
  w.Double(s.gpu_flops_per_second);
  w.String(s.compare_preset);
  w.String(s.open_panel);
  // Version 2 goes here.
}

bool ReadFields(Reader& r, int version, const DecodeLimits& limits, AnalysisState* s) {
  // Version 1.
  r.String("csv_text", limits.max_csv_bytes, "csv text", &s->csv_text);
  r.String("data_name", limits.max_string, "data name", &s->data_name);
  size_t columns = 0;
  // An override is at least 2 bytes: role and an empty header's length.
  if (r.Count("columns", limits.max_columns, "column overrides", 2, &columns)) {
    s->columns.resize(columns);
    for (auto& [role, header] : s->columns) {
      r.EnumValue("columns.role", kRoleCount, &role);
      r.String("columns.header", limits.max_string, "column header", &header);
    }
  }
  r.Double("tokens_per_sample", &s->tokens_per_sample);
  r.EnumValue("bad_rows", kBadRowCount, &s->bad_rows);
  r.EnumValue("compute.kind", kComputeCount, &s->compute.kind);
  r.Double("compute.tokens_per_sample", &s->compute.tokens_per_sample);
  r.Double("compute.width_per_depth", &s->compute.width_per_depth);
  size_t excluded = 0;
  if (r.Count("excluded_rows", limits.max_excluded, "excluded rows", 1, &excluded)) {
    s->excluded_rows.resize(excluded);
    for (int& row : s->excluded_rows) r.Int("excluded_rows", &row);
  }
  r.EnumValue("fit.optimum", kOptimumCount, &s->fit.optimum);
  r.Double("fit.band_tolerance", &s->fit.band_tolerance);
  r.Double("fit.cell_tolerance", &s->fit.cell_tolerance);
  r.Double("fit.huber_delta", &s->fit.huber_delta);
  r.Int("fit.bootstrap_samples", &s->fit.bootstrap_samples);
  r.U64("fit.seed", &s->fit.seed);
  r.Bool("fit.extrapolation_check", &s->fit.extrapolation_check);
  r.Double("plan.budget_flops", &s->plan.budget_flops);
  r.Double("plan.max_params", &s->plan.max_params);
  r.Double("plan.max_tokens", &s->plan.max_tokens);
  r.Double("plan.loss_tolerance", &s->plan.loss_tolerance);
  r.Double("plan.demand.videos", &s->plan.demand.videos);
  r.Double("plan.demand.sampling_steps", &s->plan.demand.sampling_steps);
  r.Bool("plan.demand.guidance", &s->plan.demand.guidance);
  r.Double("plan.demand.tokens_per_video", &s->plan.demand.tokens_per_video);
  r.EnumValue("budget_unit", kBudgetUnitCount, &s->budget_unit);
  r.Double("gpu_flops_per_second", &s->gpu_flops_per_second);
  r.String("compare_preset", limits.max_string, "compare preset name", &s->compare_preset);
  r.String("open_panel", limits.max_string, "panel name", &s->open_panel);
  if (version >= 2) {
    // Version 2 fields go here.
  }
  s->plan.compute = s->compute;
  return !r.failed();
}

}  // namespace

std::vector<uint8_t> EncodeState(const AnalysisState& state) {
  try {
    Writer w;
    w.bytes().reserve(64 + state.csv_text.size() + 5 * state.excluded_rows.size());
    w.Raw('S');
    w.Raw('C');
    w.Raw(static_cast<uint8_t>(kStateVersion));
    WriteFields(state, w);
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

using Json = nlohmann::ordered_json;  // keeps the file in the order written

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

template <typename Enum, size_t N>
Json EnumToJson(Enum e, const char* const (&names)[N]) {
  const auto i = static_cast<size_t>(e);
  if (i < N) return names[i];
  return static_cast<int64_t>(e);  // out of range: keep it visible, the decoder will refuse it
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

// Reads one JSON object's fields by name; unknown names are refused when done.
class ObjectReader {
 public:
  ObjectReader(const Json& object, std::string path) : object_(object), path_(std::move(path)) {
    if (!object_.is_object()) {
      Throw("state file field '" + (path_.empty() ? std::string("(top)") : path_) +
            "' must be an object (got " + TypeName(object_) + ")");
    }
  }

  // The value at `key`, or nullptr if absent (the field keeps its default).
  const Json* Get(const char* key) {
    known_.push_back(key);
    auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }
  std::string Path(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

  void Double(const char* key, double* x) {
    const Json* j = Get(key);
    if (j) *x = ReadDouble(*j, Path(key));
  }
  void Bool(const char* key, bool* b) {
    const Json* j = Get(key);
    if (!j) return;
    if (!j->is_boolean()) WrongType(Path(key), "true or false", *j);
    *b = j->get<bool>();
  }
  void Int(const char* key, int* v) {
    const Json* j = Get(key);
    if (j) *v = ReadInt(*j, Path(key));
  }
  void U64(const char* key, uint64_t* v) {
    const Json* j = Get(key);
    if (!j) return;
    if (j->is_number_unsigned()) {
      *v = j->get<uint64_t>();
    } else if (j->is_number_integer() && j->get<int64_t>() >= 0) {
      *v = static_cast<uint64_t>(j->get<int64_t>());
    } else {
      WrongType(Path(key), "an integer >= 0", *j);
    }
  }
  void String(const char* key, size_t cap, const char* what, std::string* s) {
    const Json* j = Get(key);
    if (j) ReadString(*j, Path(key), cap, what, s);
  }
  template <typename Enum, size_t N>
  void EnumName(const char* key, const char* const (&names)[N], Enum* e) {
    const Json* j = Get(key);
    if (!j) return;
    if (!j->is_string()) WrongType(Path(key), "a name", *j);
    const std::string& name = j->get_ref<const std::string&>();
    for (size_t i = 0; i < N; ++i) {
      if (name == names[i]) {
        *e = static_cast<Enum>(i);
        return;
      }
    }
    std::string list;
    for (size_t i = 0; i < N; ++i) list += std::string(i ? ", " : "") + names[i];
    Throw("state file field '" + Path(key) + "' has unknown value '" + name.substr(0, 64) +
          "' (expected one of " + list + ")");
  }

  // Refuses names this version does not know (typos would otherwise pass silently).
  void Finish() const {
    for (auto it = object_.begin(); it != object_.end(); ++it) {
      bool known = false;
      for (const char* k : known_) known = known || it.key() == k;
      if (!known)
        Throw("state file has unknown field '" + Path(it.key().substr(0, 64).c_str()) + "'");
    }
  }

  [[noreturn]] static void WrongType(const std::string& path, const char* expected,
                                     const Json& got) {
    Throw("state file field '" + path + "' must be " + expected + " (got " + TypeName(got) + ")");
  }

  static double ReadDouble(const Json& j, const std::string& path) {
    if (j.is_number()) return j.get<double>();
    if (j.is_string()) {
      const std::string& s = j.get_ref<const std::string&>();
      if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
      if (s == "Infinity") return std::numeric_limits<double>::infinity();
      if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
    }
    WrongType(path, "a number (or \"NaN\", \"Infinity\", \"-Infinity\")", j);
  }

  static int ReadInt(const Json& j, const std::string& path) {
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

  static void ReadString(const Json& j, const std::string& path, size_t cap, const char* what,
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

 private:
  const Json& object_;
  std::string path_;
  std::vector<const char*> known_;
};

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
    Json columns = Json::array();
    for (const auto& [role, header] : s.columns) {
      columns.push_back({{"role", EnumToJson(role, kRoleNames)}, {"header", StringToJson(header)}});
    }
    Json demand = {{"videos", DoubleToJson(s.plan.demand.videos)},
                   {"sampling_steps", DoubleToJson(s.plan.demand.sampling_steps)},
                   {"guidance", s.plan.demand.guidance},
                   {"tokens_per_video", DoubleToJson(s.plan.demand.tokens_per_video)}};
    Json j = {
        {"format", "scalecalc-state"},
        {"version", kStateVersion},
        {"data_name", StringToJson(s.data_name)},
        {"csv_text", StringToJson(s.csv_text)},
        {"reader",
         {{"columns", columns},
          {"tokens_per_sample", DoubleToJson(s.tokens_per_sample)},
          {"bad_rows", EnumToJson(s.bad_rows, kBadRowNames)},
          {"keep_flagged", s.keep_flagged},
          {"group_column", StringToJson(s.group_column)}}},
        {"compute",
         {{"kind", EnumToJson(s.compute.kind, kComputeNames)},
          {"tokens_per_sample", DoubleToJson(s.compute.tokens_per_sample)},
          {"width_per_depth", DoubleToJson(s.compute.width_per_depth)}}},
        {"excluded_rows", s.excluded_rows},
        {"fit",
         {{"optimum", EnumToJson(s.fit.optimum, kOptimumNames)},
          {"band_tolerance", DoubleToJson(s.fit.band_tolerance)},
          {"cell_tolerance", DoubleToJson(s.fit.cell_tolerance)},
          {"huber_delta", DoubleToJson(s.fit.huber_delta)},
          {"bootstrap_samples", s.fit.bootstrap_samples},
          {"seed", s.fit.seed},
          {"extrapolation_check", s.fit.extrapolation_check}}},
        {"plan",
         {{"budget_flops", DoubleToJson(s.plan.budget_flops)},
          {"max_params", DoubleToJson(s.plan.max_params)},
          {"max_tokens", DoubleToJson(s.plan.max_tokens)},
          {"loss_tolerance", DoubleToJson(s.plan.loss_tolerance)},
          {"demand", demand}}},
        {"display",
         {{"budget_unit", EnumToJson(s.budget_unit, kBudgetUnitNames)},
          {"gpu_flops_per_second", DoubleToJson(s.gpu_flops_per_second)}}},
        {"compare_preset", StringToJson(s.compare_preset)},
        {"open_panel", StringToJson(s.open_panel)},
    };
    return j.dump(1) + "\n";
  } catch (const std::exception&) {  // out of memory (strings are valid UTF-8 by construction)
    return "";
  }
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
    ObjectReader top(j, "");
    top.Get("format");
    top.Get("version");
    if (!top.Get("csv_text")) Throw("the state file has no \"csv_text\"");
    top.String("csv_text", limits.max_csv_bytes, "csv text", &s.csv_text);
    top.String("data_name", limits.max_string, "data name", &s.data_name);
    if (const Json* reader = top.Get("reader")) {
      ObjectReader r(*reader, "reader");
      if (const Json* columns = r.Get("columns")) {
        if (!columns->is_array()) ObjectReader::WrongType("reader.columns", "an array", *columns);
        if (columns->size() > limits.max_columns) {
          Throw("too many column overrides (" + std::to_string(columns->size()) + "; limit " +
                std::to_string(limits.max_columns) + ")");
        }
        for (const Json& column : *columns) {
          ObjectReader c(column, "reader.columns[]");
          std::pair<Role, std::string> entry{Role::kParams, ""};
          if (!c.Get("role") || !c.Get("header")) {
            Throw("each of reader.columns needs a \"role\" and a \"header\"");
          }
          c.EnumName("role", kRoleNames, &entry.first);
          c.String("header", limits.max_string, "column header", &entry.second);
          c.Finish();
          s.columns.push_back(std::move(entry));
        }
      }
      r.Double("tokens_per_sample", &s.tokens_per_sample);
      r.EnumName("bad_rows", kBadRowNames, &s.bad_rows);
      r.Bool("keep_flagged", &s.keep_flagged);
      r.String("group_column", limits.max_string, "group column", &s.group_column);
      r.Finish();
    }
    if (const Json* compute = top.Get("compute")) {
      ObjectReader c(*compute, "compute");
      c.EnumName("kind", kComputeNames, &s.compute.kind);
      c.Double("tokens_per_sample", &s.compute.tokens_per_sample);
      c.Double("width_per_depth", &s.compute.width_per_depth);
      c.Finish();
    }
    if (const Json* rows = top.Get("excluded_rows")) {
      if (!rows->is_array()) ObjectReader::WrongType("excluded_rows", "an array", *rows);
      if (rows->size() > limits.max_excluded) {
        Throw("too many excluded rows (" + std::to_string(rows->size()) + "; limit " +
              std::to_string(limits.max_excluded) + ")");
      }
      s.excluded_rows.reserve(rows->size());
      for (const Json& row : *rows)
        s.excluded_rows.push_back(ObjectReader::ReadInt(row, "excluded_rows[]"));
    }
    if (const Json* fit = top.Get("fit")) {
      ObjectReader f(*fit, "fit");
      f.EnumName("optimum", kOptimumNames, &s.fit.optimum);
      f.Double("band_tolerance", &s.fit.band_tolerance);
      f.Double("cell_tolerance", &s.fit.cell_tolerance);
      f.Double("huber_delta", &s.fit.huber_delta);
      f.Int("bootstrap_samples", &s.fit.bootstrap_samples);
      f.U64("seed", &s.fit.seed);
      f.Bool("extrapolation_check", &s.fit.extrapolation_check);
      f.Finish();
    }
    if (const Json* plan = top.Get("plan")) {
      ObjectReader p(*plan, "plan");
      p.Double("budget_flops", &s.plan.budget_flops);
      p.Double("max_params", &s.plan.max_params);
      p.Double("max_tokens", &s.plan.max_tokens);
      p.Double("loss_tolerance", &s.plan.loss_tolerance);
      if (const Json* demand = p.Get("demand")) {
        ObjectReader d(*demand, "plan.demand");
        d.Double("videos", &s.plan.demand.videos);
        d.Double("sampling_steps", &s.plan.demand.sampling_steps);
        d.Bool("guidance", &s.plan.demand.guidance);
        d.Double("tokens_per_video", &s.plan.demand.tokens_per_video);
        d.Finish();
      }
      p.Finish();
    }
    if (const Json* display = top.Get("display")) {
      ObjectReader d(*display, "display");
      d.EnumName("budget_unit", kBudgetUnitNames, &s.budget_unit);
      d.Double("gpu_flops_per_second", &s.gpu_flops_per_second);
      d.Finish();
    }
    top.String("compare_preset", limits.max_string, "compare preset name", &s.compare_preset);
    top.String("open_panel", limits.max_string, "panel name", &s.open_panel);
    top.Finish();
    s.plan.compute = s.compute;

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

}  // namespace scalecalc
