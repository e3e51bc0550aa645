// Name tables generated from the X-macro list, so a reason's name can never drift from its
// enumerator.
#include "rs/decap_reason.h"

#include <array>

namespace uvs::rs {
namespace {

#define UVS_DECAP_NAME_ENTRY(e, n, doc) n,
#define UVS_DECAP_DOC_ENTRY(e, n, doc) doc,
constexpr std::array<std::string_view, kDecapReasonCount> kNames{
    UVS_DECAP_REASONS(UVS_DECAP_NAME_ENTRY)};
constexpr std::array<std::string_view, kDecapReasonCount> kDocs{
    UVS_DECAP_REASONS(UVS_DECAP_DOC_ENTRY)};
#undef UVS_DECAP_NAME_ENTRY
#undef UVS_DECAP_DOC_ENTRY

}  // namespace

std::string_view name(DecapReason r) {
  return kNames[static_cast<std::size_t>(r)];
}

std::string_view description(DecapReason r) {
  return kDocs[static_cast<std::size_t>(r)];
}

}  // namespace uvs::rs
