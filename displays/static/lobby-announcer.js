// The lobby's voice: a chime, then "Ticket numéro A quarante-deux,
// Guichet trois", then "رقم التذكرة إيه اثنان وأربعون، الشباك رقم ثلاثة":
// numbers said as numbers, letters by their name in each language, joined
// from the clips in /static/sounds/ (displays/sounds-generate.sh, one clip
// a word), or spoken by the browser's speechSynthesis where a clip is
// missing. window.guichetSpeechText(call, lang) gives the words said; each
// announcement's record tells them ("said") and whether clips said them. Announcements wait in
// a queue and never cut each other off. When the browser blocks sound
// (no autoplay permission, no tap yet) the screen says so discreetly and
// goes on; a tap anywhere unblocks it.
//
// Tamazight: when the office has recorded its clips (sounds "zgh-…", given
// only when the site shows Tamazight and has the full set), the call is
// then said in Tamazight too: "ticket", the letter, the digits of the
// number one by one, "counter", the counter's digits. A call that needs a
// clip the set lacks is said in the other languages only; there is no
// speech synthesis for Tamazight. The record's `zgh` lists the clips.
(function () {
  "use strict";
  var GAP_MS = 500;
  var JOB_LIMIT_MS = 30000;
  var SPEECH_LIMIT_MS = 9000;

  window.guichetAnnounced = [];
  window.guichetAnnouncements = [];

  // ---- numbers and letters in words
  var FR_UNITS = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf",
    "dix", "onze", "douze", "treize", "quatorze", "quinze", "seize"];
  var FR_TENS = ["", "", "vingt", "trente", "quarante", "cinquante", "soixante"];
  var AR_UNITS = ["صفر", "واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة", "عشرة"];
  var AR_TENS = ["", "", "عشرون", "ثلاثون", "أربعون", "خمسون", "ستون", "سبعون", "ثمانون", "تسعون"];
  var AR_HUNDREDS = ["", "مئة", "مئتان", "ثلاثمئة", "أربعمئة", "خمسمئة", "ستمئة", "سبعمئة", "ثمانمئة", "تسعمئة"];
  // Latin letters as Arabic names them (A is «إيه», B «بي»).
  var AR_LETTERS = {
    a: "إيه", b: "بي", c: "سي", d: "دي", e: "إي", f: "إف", g: "جي", h: "إتش", i: "آي",
    j: "جاي", k: "كاي", l: "إل", m: "إم", n: "إن", o: "أو", p: "پي", q: "كيو", r: "آر",
    s: "إس", t: "تي", u: "يو", v: "ڤي", w: "دبليو", x: "إكس", y: "واي", z: "زد"
  };

  // 0 to 9999 in French words (traditional spelling), else null.
  function frNumber(n) {
    if (n < 17) return FR_UNITS[n];
    if (n < 20) return "dix-" + FR_UNITS[n - 10];
    if (n < 70) {
      var u = n % 10;
      return FR_TENS[Math.floor(n / 10)] + (u === 0 ? "" : u === 1 ? " et un" : "-" + FR_UNITS[u]);
    }
    if (n < 80) return n === 71 ? "soixante et onze" : "soixante-" + frNumber(n - 60);
    if (n < 100) return n === 80 ? "quatre-vingts" : "quatre-vingt-" + frNumber(n - 80);
    if (n < 1000) {
      var h = Math.floor(n / 100), r = n % 100;
      return (h === 1 ? "cent" : FR_UNITS[h] + (r ? " cent" : " cents")) + (r ? " " + frNumber(r) : "");
    }
    if (n < 10000) {
      var k = Math.floor(n / 1000), rest = n % 1000;
      return (k === 1 ? "mille" : FR_UNITS[k] + " mille") + (rest ? " " + frNumber(rest) : "");
    }
    return null;
  }

  // 0 to 9999 in Arabic words (the counting form: "اثنان وأربعون"), else null.
  function arNumber(n) {
    if (n <= 10) return AR_UNITS[n];
    if (n === 11) return "أحد عشر";
    if (n === 12) return "اثنا عشر";
    if (n < 20) return AR_UNITS[n - 10] + " عشر";
    if (n < 100) {
      var u = n % 10, tens = AR_TENS[Math.floor(n / 10)];
      return u ? AR_UNITS[u] + " و" + tens : tens;
    }
    if (n < 1000) {
      var r = n % 100, h = AR_HUNDREDS[Math.floor(n / 100)];
      return r ? h + " و" + arNumber(r) : h;
    }
    if (n < 10000) {
      var k = Math.floor(n / 1000), rest = n % 1000;
      var th = k === 1 ? "ألف" : k === 2 ? "ألفان" : AR_UNITS[k] + " آلاف";
      return rest ? th + " و" + arNumber(rest) : th;
    }
    return null;
  }

  // A run of digits as a number ("012" is twelve); a longer one digit by digit.
  function numberWords(digits, lang) {
    var say = lang === "ar" ? arNumber : frNumber;
    var words = digits.length <= 4 ? say(parseInt(digits, 10)) : null;
    return words || digits.split("").map(function (d) { return say(Number(d)); }).join(" ");
  }

  // "A012" → "A douze" / "إيه اثنا عشر".
  function ticketWords(number, lang) {
    return (String(number).match(/[0-9]+|[A-Za-z]|[^0-9A-Za-z]+/g) || []).map(function (part) {
      if (/^[0-9]/.test(part)) return numberWords(part, lang);
      if (/^[A-Za-z]$/.test(part)) return lang === "ar" ? AR_LETTERS[part.toLowerCase()] : part.toUpperCase();
      return part.trim();
    }).filter(Boolean).join(" ");
  }

  // The clip of each word (displays/sounds-generate.sh names them alike).
  var CLIP = {};
  FR_UNITS.forEach(function (w, i) { CLIP[w] = "fr-n-" + i; });
  FR_TENS.forEach(function (w, i) { if (w) CLIP[w] = "fr-n-" + i * 10; });
  CLIP.vingts = "fr-n-20"; CLIP.cent = CLIP.cents = "fr-n-100"; CLIP.mille = "fr-n-1000"; CLIP.et = "fr-et";
  AR_UNITS.forEach(function (w, i) { CLIP[w] = "ar-n-" + i; });
  AR_TENS.forEach(function (w, i) { if (w) CLIP[w] = "ar-n-" + i * 10; });
  AR_HUNDREDS.forEach(function (w, i) { if (w) CLIP[w] = "ar-n-" + i * 100; });
  CLIP["أحد"] = "ar-ahad"; CLIP["اثنا"] = "ar-ithna"; CLIP["عشر"] = "ar-ashar";
  CLIP["ألف"] = "ar-n-1000"; CLIP["ألفان"] = "ar-n-2000"; CLIP["آلاف"] = "ar-alaf";
  Object.keys(AR_LETTERS).forEach(function (l) { CLIP[AR_LETTERS[l]] = "ar-letter-" + l; });
  "abcdefghijklmnopqrstuvwxyz".split("").forEach(function (l) { CLIP[l.toUpperCase()] = "fr-letter-" + l; });

  // The clips saying `words`, or null when one is missing.
  function clipNames(words) {
    var names = [];
    var parts = words.split(/[\s-]+/).filter(Boolean);
    for (var i = 0; i < parts.length; i++) {
      var w = parts[i];
      if (CLIP[w]) names.push(CLIP[w]);
      else if (w.charAt(0) === "و" && CLIP[w.slice(1)]) names.push("ar-and", CLIP[w.slice(1)]);
      else return null;
    }
    return names;
  }

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
      return n ? T("common.counter", lang).replace("{}", numberWords(n, lang)) : (label || "");
    }

    // The clips of one language, or null when the words cannot all be
    // said with clips (a counter without a number).
    function clipsFor(call, lang) {
      var counter = counterNumber(call.counter_label);
      if (!counter) return null;
      var ticket = clipNames(ticketWords(call.number, lang));
      var at = clipNames(numberWords(counter, lang));
      if (!ticket || !at) return null;
      var names = [lang + "-ticket"].concat(ticket, [lang + "-counter"], at);
      for (var i = 0; i < names.length; i++) if (!sounds[names[i]]) return null;
      return names.map(function (n) { return sounds[n]; });
    }

    // The Tamazight clips of a call, or null when one is missing.
    function zghClips(call) {
      if (!sounds["zgh-ticket"]) return null;
      var counter = counterNumber(call.counter_label);
      if (!counter) return null;
      var digits = function (run) {
        return String(parseInt(run, 10)).split("").map(function (d) { return "zgh-digit-" + d; });
      };
      var names = ["zgh-ticket"];
      var parts = String(call.number).match(/[0-9]+|[A-Za-z]/g) || [];
      parts.forEach(function (part) {
        if (/^[0-9]/.test(part)) names = names.concat(digits(part));
        else names.push("zgh-letter-" + part.toLowerCase());
      });
      names = names.concat(["zgh-counter"], digits(counter));
      for (var i = 0; i < names.length; i++) if (!sounds[names[i]]) return null;
      return names;
    }

    function sentence(call, lang) {
      var comma = lang === "ar" ? "، " : ", ";
      return T("lobby.say_ticket", lang).replace("{}", ticketWords(call.number, lang)) + comma +
        counterWords(call.counter_label, lang);
    }
    window.guichetSpeechText = sentence;

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
      var record = {
        text: call.number + " → " + call.counter_label, number: call.number,
        said: { fr: sentence(call, "fr"), ar: sentence(call, "ar") },
        clips: { fr: !!clipsFor(call, "fr"), ar: !!clipsFor(call, "ar") },
        zgh: zghClips(call), start: Date.now(), end: null
      };
      if (sounds["zgh-ticket"]) record.clips.zgh = !!record.zgh;
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
      // French, Arabic, then Tamazight from the office's clips if it has
      // them all (else nothing more: no synthesis speaks Tamazight).
      var zgh = record.zgh;
      var sayZgh = function () {
        if (!zgh) return end();
        playClips(zgh.map(function (n) { return sounds[n]; }), end, end);
      };
      chime(function () {
        say(call, "fr", function () { say(call, "ar", sayZgh); });
      });
    }

    return {
      add: function (call) { jobs.push(call); pump(); }
    };
  };
})();
