// libFuzzer target: the bytes a client sends, as the proxy reads them. The first byte seeds how
// the rest is cut into reads and picks a small packet limit; the FrameReader must never crash,
// must stop at the first error, and every packet it returns must be exactly the frames it came in
// (FrameReader::last_frames(), what the relay forwards) re-framed from its payload.
// COM_STMT_EXECUTE: the payload of each packet is also parsed as an EXECUTE with a parameter count
// taken from its first bytes, and a parsed one is rewritten (new id, types added) and parsed again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "proxy/protocol/frame_reader.hpp"
#include "proxy/session/prepared_statements.hpp"

namespace {

using namespace rwproxy;

void check(bool ok) {
  if (!ok) std::abort();
}

void check_execute(std::string_view payload) {
  if (payload.size() < 2) return;
  const std::uint16_t param_count = static_cast<std::uint8_t>(payload[0]) % 40;
  session::ExecuteRequest request;
  if (!session::parse_execute(payload, param_count, request)) return;
  check(request.types_offset <= payload.size());
  const std::string types(2u * param_count, '\x08');
  const std::string rewritten =
      session::rewrite_execute(payload, request, 0x01020304u, request.new_params_bound ? std::string_view() : types);
  session::ExecuteRequest again;
  check(session::parse_execute(rewritten, param_count, again));
  check(again.statement_id == 0x01020304u);
  check(again.flags == request.flags);
  check(again.new_params_bound == (request.new_params_bound || param_count > 0));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t seed = data[0];
  const std::size_t limit = (seed & 0x80) ? 64 : (1u << 20);
  protocol::FrameReader reader(limit);
  std::size_t pos = 1;
  std::size_t step = 1 + (seed & 0x0f);
  while (pos < size) {
    const std::size_t n = step < size - pos ? step : size - pos;
    reader.feed(protocol::Bytes(data + pos, n));
    pos += n;
    step = step * 3 % 17 + 1;  // uneven reads
    std::error_code ec;
    while (auto packet = reader.next(ec)) {
      std::string reframed;
      protocol::append_frames(reframed, packet->payload, packet->sequence_id);
      check(reframed == reader.last_frames());
      check(packet->payload.size() <= limit);
      check_execute(packet->payload);
    }
    if (ec) return 0;  // the reader is unusable after an error
  }
  return 0;
}
