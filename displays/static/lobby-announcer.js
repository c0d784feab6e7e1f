// The lobby's voice: a chime, then "ticket numéro A 0 4 2, guichet 3",
// then "رقم التذكرة A 0 4 2، الشباك رقم 3", joined from the clips in
// /static/sounds/ (displays/sounds-generate.sh), or spoken by the
// browser's speechSynthesis where a clip is missing. Announcements wait in
// a queue and never cut each other off. When the browser blocks sound
// (no autoplay permission, no tap yet) the screen says so discreetly and
// goes on; a tap anywhere unblocks it.
(function () {
  "use strict";
  var GAP_MS = 500;
  var JOB_LIMIT_MS = 30000;
  var SPEECH_LIMIT_MS = 9000;

  window.guichetAnnounced = [];
  window.guichetAnnouncements = [];

  window.guichetSpeaker = function (sounds, T, marker) {
    var jobs = [];
    var busy = false;
    var blocked = false;
    var context = null;

    function setBlocked(value) {
      blocked = value;
      if (marker) marker.hidden = !value;
    }
    function unblock() {
      if (context && context.state === "suspended") context.resume();
      setBlocked(false);
    }
    document.addEventListener("click", unblock);
    document.addEventListener("keydown", unblock);

    function counterNumber(label) {
      var m = /(\d+)\s*$/.exec(label || "");
      return m ? m[1] : null;
    }
    function counterWords(label, lang) {
      var n = counterNumber(label);
      return n ? T("common.counter", lang).replace("{}", n) : (label || "");
    }

    // The clips of one language, or null when the words cannot all be
    // said with clips (a counter without a number).
    function clipsFor(call, lang) {
      var counter = counterNumber(call.counter_label);
      if (!counter) return null;
      var names = [lang + "-ticket"];
      call.number.split("").forEach(function (ch) {
        if (/[0-9]/.test(ch)) names.push(lang + "-digit-" + ch);
        else if (/[A-Za-z]/.test(ch)) names.push("fr-letter-" + ch.toLowerCase());
      });
      names.push(lang + "-counter");
      counter.split("").forEach(function (d) { names.push(lang + "-digit-" + d); });
      for (var i = 0; i < names.length; i++) if (!sounds[names[i]]) return null;
      return names.map(function (n) { return sounds[n]; });
    }

    function sentence(call, lang) {
      var spelled = call.number.split("").join(" ");
      var comma = lang === "ar" ? "، " : ", ";
      return T("lobby.say_ticket", lang).replace("{}", spelled) + comma + counterWords(call.counter_label, lang);
    }

    function chime(done) {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return done();
      try {
        context = context || new Ctx();
        if (context.state === "suspended") context.resume();
        var start = context.currentTime + 0.05;
        [659.25, 523.25].forEach(function (freq, i) {
          var osc = context.createOscillator();
          var gain = context.createGain();
          osc.type = "sine";
          osc.frequency.value = freq;
          var t = start + i * 0.45;
          gain.gain.setValueAtTime(0.0001, t);
          gain.gain.exponentialRampToValueAtTime(0.5, t + 0.03);
          gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.8);
          osc.connect(gain).connect(context.destination);
          osc.start(t);
          osc.stop(t + 0.85);
        });
      } catch (e) { return done(); }
      setTimeout(function () {
        if (context.state !== "running") setBlocked(true);
        done();
      }, 1350);
    }

    function speak(text, lang, done) {
      var synth = window.speechSynthesis;
      if (!synth || !window.SpeechSynthesisUtterance) return done();
      var finished = false;
      function end() { if (!finished) { finished = true; done(); } }
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = lang === "ar" ? "ar-MA" : "fr-FR";
      utterance.rate = 0.9;
      utterance.onend = end;
      utterance.onerror = function (e) {
        if (e && e.error === "not-allowed") setBlocked(true);
        end();
      };
      setTimeout(end, SPEECH_LIMIT_MS);
      try { synth.speak(utterance); } catch (e) { end(); }
    }

    function playClips(urls, fallback, done) {
      var i = 0;
      function next() {
        if (i >= urls.length) return done();
        var audio = new Audio(urls[i]);
        i += 1;
        audio.onended = next;
        audio.onerror = function () { audio.onended = null; fallback(); };
        var played = audio.play();
        if (played && played.catch) {
          played.then(function () { setBlocked(false); }).catch(function (e) {
            audio.onended = null;
            audio.onerror = null;
            if (e && e.name === "NotAllowedError") { setBlocked(true); done(); } else fallback();
          });
        }
      }
      next();
    }

    function say(call, lang, done) {
      var finished = false;
      function end() { if (!finished) { finished = true; done(); } }
      var urls = clipsFor(call, lang);
      var bySpeech = function () { speak(sentence(call, lang), lang, end); };
      if (urls) playClips(urls, bySpeech, end); else bySpeech();
    }

    function pump() {
      if (busy || !jobs.length) return;
      busy = true;
      var call = jobs.shift();
      var record = { text: call.number + " → " + counterWords(call.counter_label, "fr"), number: call.number, start: Date.now(), end: null };
      window.guichetAnnounced.push(record.text);
      window.guichetAnnouncements.push(record);
      var finished = false;
      function end() {
        if (finished) return;
        finished = true;
        clearTimeout(limit);
        record.end = Date.now();
        busy = false;
        setTimeout(pump, GAP_MS);
      }
      // Whatever happens to a sound, the queue moves on.
      var limit = setTimeout(end, JOB_LIMIT_MS);
      chime(function () {
        say(call, "fr", function () { say(call, "ar", end); });
      });
    }

    return {
      add: function (call) { jobs.push(call); pump(); }
    };
  };
})();
