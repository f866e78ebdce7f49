// Injected before any page script. Records every play() and speak() call and reports the
// alert client's DOM events on the console, so a test can watch the page without evaluating
// anything in it: an evaluation counts as a user gesture and would unlock autoplay.
(() => {
  const records = [];
  Object.defineProperty(window, "__takeoutRecords", { value: records });
  const report = (record) => console.log("takeout-test " + JSON.stringify(record));

  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function (...args) {
    const record = { kind: "play", src: this.currentSrc || this.src, muted: this.muted, outcome: "pending" };
    records.push(record);
    const result = play.apply(this, args);
    result.then(
      () => {
        record.outcome = "played";
        report(record);
      },
      (error) => {
        record.outcome = error.name;
        report(record);
      },
    );
    return result;
  };

  if ("speechSynthesis" in window) {
    const speak = speechSynthesis.speak.bind(speechSynthesis);
    speechSynthesis.speak = (utterance) => {
      const record = { kind: "speak", text: utterance.text, outcome: "pending" };
      records.push(record);
      utterance.addEventListener("error", (event) => {
        record.outcome = event.error;
        report(record);
      });
      return speak(utterance);
    };
  }

  for (const name of ["alert", "ack", "order", "presence", "connection", "sound"]) {
    document.addEventListener(`takeout:${name}`, (event) => {
      report({ kind: "event", name, detail: event.detail });
    });
  }
})();
