// The admin order list is rendered once; when a new order is paid after that, say so at the
// top of the list instead of letting the page look complete.

const marker = document.querySelector("[data-order-list-banner]");
const renderedAt = Date.parse(marker.dataset.renderedAt);

function showBanner() {
  if (document.querySelector(".takeout-stale-banner")) return;
  const banner = document.createElement("div");
  banner.className = "takeout-stale-banner";
  banner.setAttribute("role", "status");
  const link = document.createElement("a");
  link.href = location.href;
  link.textContent = "有新订单，刷新查看";
  banner.append(link);
  const content = document.querySelector("#content-main") || document.querySelector("#content");
  content.prepend(banner);
}

document.addEventListener("takeout:alert", ({ detail }) => {
  // An alert replayed on connect may be older than the list, which then already shows it.
  if (detail.type !== 1) return;
  const createdAt = Date.parse(detail.createdAt);
  if (Number.isNaN(createdAt) || Number.isNaN(renderedAt) || createdAt > renderedAt) showBanner();
});
