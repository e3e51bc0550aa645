// Name tables generated from the X-macro lists, so names can never drift from the enums.
#include "base/drop_reason.h"

#include <array>

namespace uvs::base {
namespace {

#define UVS_NAME_ENTRY(e, n, doc) n,
#define UVS_DOC_ENTRY(e, n, doc) doc,
constexpr std::array<std::string_view, kDropReasonCount> kDropNames{
    UVS_DROP_REASONS(UVS_NAME_ENTRY)};
constexpr std::array<std::string_view, kDropReasonCount> kDropDocs{UVS_DROP_REASONS(UVS_DOC_ENTRY)};
constexpr std::array<std::string_view, kPassReasonCount> kPassNames{
    UVS_PASS_REASONS(UVS_NAME_ENTRY)};
constexpr std::array<std::string_view, kPassReasonCount> kPassDocs{UVS_PASS_REASONS(UVS_DOC_ENTRY)};
#undef UVS_NAME_ENTRY
#undef UVS_DOC_ENTRY

}  // namespace

std::string_view name(DropReason r) {
  return kDropNames[static_cast<std::size_t>(r)];
}
std::string_view description(DropReason r) {
  return kDropDocs[static_cast<std::size_t>(r)];
}
std::string_view name(PassReason r) {
  return kPassNames[static_cast<std::size_t>(r)];
}
std::string_view description(PassReason r) {
  return kPassDocs[static_cast<std::size_t>(r)];
}

}  // namespace uvs::base
