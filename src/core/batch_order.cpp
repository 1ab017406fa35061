// compose_batches (batch_order.h): i.i.d., one-class and one-region batches.
#include "core/batch_order.h"

#include <algorithm>
#include <map>

namespace nl {

namespace {

// Cuts `order` into consecutive batches of batch_size, dropping the remainder.
void cut(const std::vector<int>& order, int batch_size, std::vector<std::vector<int>>& out) {
  const std::size_t b = static_cast<std::size_t>(batch_size);
  for (std::size_t start = 0; start + b <= order.size(); start += b)
    out.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(start),
                     order.begin() + static_cast<std::ptrdiff_t>(start + b));
}

}  // namespace

std::vector<std::vector<int>> compose_batches(const Matrix& x, const std::vector<int>& labels,
                                              int batch_size, BatchComposition composition, Rng& rng) {
  std::vector<std::vector<int>> batches;
  if (batch_size < 1) return batches;
  const int n = static_cast<int>(x.cols());
  std::vector<int> order(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  switch (composition) {
    case BatchComposition::kIid:
      rng.shuffle(order);
      cut(order, batch_size, batches);
      return batches;  // already in random order
    case BatchComposition::kOneClass: {
      std::map<int, std::vector<int>> by_class;
      for (int i : order) by_class[labels[static_cast<std::size_t>(i)]].push_back(i);
      for (auto& [label, members] : by_class) {
        rng.shuffle(members);
        cut(members, batch_size, batches);
      }
      break;
    }
    case BatchComposition::kOneRegion: {
      // Sorted by the first coordinate (ties by index, so the order is deterministic).
      std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return x(0, a) < x(0, b); });
      cut(order, batch_size, batches);
      break;
    }
  }
  rng.shuffle(batches);
  return batches;
}

}  // namespace nl
