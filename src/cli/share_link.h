// share_link.h: the page's share links read outside the page (`scalecalc open`). The C++ twin of
// web/share.js's decodeFragment, with its limits and its messages: "s1.<base64url>", which holds
// the CRC-32 of the state bytes (4 bytes, little-endian) and then the bytes deflated raw.
//
//   std::vector<uint8_t> bytes;
//   if (!StateBytesFromLink(text, &bytes, &error)) ...;   // then DecodeState(bytes)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace scalecalc {

constexpr size_t kMaxLinkChars = 1u << 20;        // after the tag, as the page's decoder
constexpr size_t kMaxLinkStateBytes = 32u << 20;  // inflated: DecodeLimits::max_input_bytes

// `text`: a whole URL (the text after its first '#'), or the fragment with or without '#'. ASCII
// whitespace is ignored (links broken across lines by mail programs). False with a sentence.
bool StateBytesFromLink(std::string_view text, std::vector<uint8_t>* bytes, std::string* error);

// Whether `text` is meant as a link rather than a file name: a URL with a fragment, "#...", or a
// fragment that starts with a tag ("s1.").
bool LooksLikeLink(std::string_view text);

}  // namespace scalecalc
