// Shows a Web Push notification from Carnet. The payload is {title, body, url}: a title
// and one line with no health detail, and the page to open in Carnet.
self.addEventListener("push", function (event) {
  var data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (e) {
    data = {};
  }
  event.waitUntil(
    self.registration.showNotification(data.title || "Carnet", {
      body: data.body || "",
      data: { url: data.url || "/" },
      tag: "carnet"
    })
  );
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(self.clients.openWindow(url));
});
