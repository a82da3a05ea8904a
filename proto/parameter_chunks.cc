#include "proto/parameter_chunks.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "common/codec.h"
#include "common/status.h"

namespace taco {

std::vector<v1::ParameterChunk> ChunkParameters(const ParameterSet& set, int64_t max_chunk_bytes) {
  const int64_t per_chunk = std::max<int64_t>(1, max_chunk_bytes / 4);
  std::vector<v1::ParameterChunk> chunks(1);
  int64_t room = per_chunk;
  for (const NamedArray& array : set.arrays) {
    const int64_t total = static_cast<int64_t>(array.values.size());
    int64_t offset = 0;
    do {
      if (room == 0) {
        chunks.emplace_back();
        room = per_chunk;
      }
      const int64_t take = std::min(room, total - offset);
      v1::TensorSlice* slice = chunks.back().add_slices();
      slice->mutable_tensor()->set_name(array.name);
      for (int64_t d : array.shape) slice->mutable_tensor()->add_shape(d);
      slice->mutable_tensor()->set_data(*EncodeFloat32(
          absl::MakeConstSpan(array.values).subspan(offset, take), {take}, NonFinite::kAllow));
      slice->set_offset(static_cast<uint64_t>(offset));
      slice->set_total_elements(static_cast<uint64_t>(total));
      offset += take;
      room -= take;
    } while (offset < total);
  }
  const uint32_t count = static_cast<uint32_t>(chunks.size());
  for (uint32_t i = 0; i < count; ++i) {
    v1::ParameterChunk& c = chunks[i];
    c.set_version(set.version);
    c.set_chunk_index(i);
    c.set_chunk_count(count);
    c.set_updates(set.updates);
    c.set_incarnation(set.incarnation);
    c.set_final(set.final);
    if (i == 0) {
      for (const std::string& task : set.tasks) c.add_tasks(task);
    }
  }
  return chunks;
}

void ParameterAssembler::Restart() {
  active_ = false;
  building_ = ParameterSet();
  next_chunk_ = 0;
  chunk_count_ = 0;
  total_elements_ = 0;
}

absl::Status ParameterAssembler::Add(const v1::ParameterChunk& chunk, bool* complete,
                                     ParameterSet* out) {
  *complete = false;
  auto fail = [this, &chunk](absl::string_view what) {
    Restart();
    return absl::InvalidArgumentError(absl::StrCat("parameter chunk ", chunk.chunk_index(), "/",
                                                   chunk.chunk_count(), " of version ",
                                                   chunk.version(), ": ", what));
  };
  if (chunk.chunk_count() == 0 || chunk.chunk_index() >= chunk.chunk_count()) {
    return fail("index outside the chunk count");
  }
  if (!active_) {
    if (chunk.chunk_index() != 0) return fail("a version must start with chunk 0");
    active_ = true;
    building_.version = chunk.version();
    building_.updates = chunk.updates();
    building_.incarnation = chunk.incarnation();
    building_.final = chunk.final();
    building_.tasks.assign(chunk.tasks().begin(), chunk.tasks().end());
    chunk_count_ = chunk.chunk_count();
  } else if (chunk.version() != building_.version || chunk.chunk_count() != chunk_count_ ||
             chunk.incarnation() != building_.incarnation || chunk.chunk_index() != next_chunk_) {
    return fail(absl::StrCat("expected chunk ", next_chunk_, "/", chunk_count_, " of version ",
                             building_.version));
  }
  for (const v1::TensorSlice& slice : chunk.slices()) {
    const v1::Tensor& t = slice.tensor();
    std::vector<int64_t> shape(t.shape().begin(), t.shape().end());
    auto count = ElementCount(shape);
    if (!count.ok()) return fail(count.status().message());
    if (static_cast<uint64_t>(*count) != slice.total_elements()) {
      return fail(absl::StrCat("'", t.name(), "' shape ", ShapeString(shape), " holds ", *count,
                               " elements, not ", slice.total_elements()));
    }
    if (t.data().size() % 4 != 0) return fail(absl::StrCat("'", t.name(), "' has partial floats"));
    const int64_t n = static_cast<int64_t>(t.data().size() / 4);
    const bool continues = !building_.arrays.empty() && building_.arrays.back().name == t.name() &&
                           building_.arrays.back().values.size() < static_cast<size_t>(*count);
    if (slice.offset() == 0) {
      if (continues) return fail(absl::StrCat("'", t.name(), "' restarts before it is complete"));
      if (!building_.arrays.empty() &&
          building_.arrays.back().values.size() !=
              static_cast<size_t>(ElementCount(building_.arrays.back().shape).value_or(-1))) {
        return fail(absl::StrCat("'", building_.arrays.back().name, "' ends incomplete"));
      }
      for (const NamedArray& a : building_.arrays) {
        if (a.name == t.name()) return fail(absl::StrCat("'", t.name(), "' appears twice"));
      }
      total_elements_ += *count;
      if (total_elements_ > max_total_elements_) {
        return fail(absl::StrCat("more than ", max_total_elements_, " elements in all"));
      }
      building_.arrays.push_back({t.name(), shape, {}});
    } else if (!continues || building_.arrays.back().values.size() != slice.offset() ||
               building_.arrays.back().shape != shape) {
      return fail(absl::StrCat("slice of '", t.name(), "' at offset ", slice.offset(),
                               " does not continue its array"));
    }
    NamedArray& array = building_.arrays.back();
    if (static_cast<int64_t>(array.values.size()) + n > *count) {
      return fail(absl::StrCat("'", t.name(), "' gets more elements than its shape holds"));
    }
    const size_t at = array.values.size();
    const size_t filled = at + static_cast<size_t>(n);
    // Memory grows with the floats that arrived, up to the declared count:
    // a chunk may declare 2^30 elements and carry four bytes.
    if (filled > array.values.capacity()) {
      array.values.reserve(
          std::min(static_cast<size_t>(*count), std::max(filled, 2 * array.values.capacity())));
    }
    array.values.resize(filled);
    absl::Status decoded = DecodeFloat32Into(
        t.data(), {n}, absl::MakeSpan(array.values).subspan(at), NonFinite::kReject, t.name());
    if (!decoded.ok()) return fail(decoded.message());
  }
  ++next_chunk_;
  if (next_chunk_ < chunk_count_) return absl::OkStatus();
  for (const NamedArray& a : building_.arrays) {
    if (static_cast<int64_t>(a.values.size()) != ElementCount(a.shape).value_or(-1)) {
      return fail(absl::StrCat("'", a.name, "' ends incomplete"));
    }
  }
  *out = std::move(building_);
  *complete = true;
  Restart();
  return absl::OkStatus();
}

}  // namespace taco
