/* The outbox in IndexedDB, shared by the service worker and the pages (a classic script that
 * defines self.RazemStore). One open/upgrade function with named constants; writes use
 * "strict" durability, so an entry is on disk before the screen says it is saved. */
(function (scope) {
  "use strict";

  var DB_NAME = "razem";
  var DB_VERSION = 1;
  var OUTBOX = "outbox"; // queued writes, in the order the person made them (seq)
  var ATTENTION = "attention"; // writes the server refused, waiting for a person
  var META = "meta"; // device id, signed-in user, last sync, offline pack versions…
  var dbPromise = null;

  function open() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains(OUTBOX)) {
          var outbox = db.createObjectStore(OUTBOX, { keyPath: "seq", autoIncrement: true });
          outbox.createIndex("key", "key", { unique: true });
        }
        if (!db.objectStoreNames.contains(ATTENTION)) db.createObjectStore(ATTENTION, { keyPath: "key" });
        if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
      };
      request.onsuccess = function () {
        var db = request.result;
        db.onversionchange = function () { db.close(); dbPromise = null; };
        resolve(db);
      };
      request.onerror = function () { dbPromise = null; reject(request.error); };
    });
    return dbPromise;
  }

  function done(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // Run `work(stores)` in one transaction; resolve with its result once the transaction
  // has committed (for readwrite, durably).
  function transaction(names, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var options = mode === "readwrite" ? { durability: "strict" } : undefined;
        var tx = db.transaction(names, mode, options);
        var stores = {};
        names.forEach(function (name) { stores[name] = tx.objectStore(name); });
        var result;
        Promise.resolve(work(stores)).then(function (value) { result = value; }, function (error) {
          try { tx.abort(); } catch (e) { /* already finished */ }
          reject(error);
        });
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error || new Error("transaction aborted")); };
      });
    });
  }

  function add(write) {
    return transaction([OUTBOX], "readwrite", function (s) {
      return done(s[OUTBOX].index("key").getKey(write.key)).then(function (existing) {
        if (existing === undefined) return done(s[OUTBOX].add(write));
        return existing; // the same act stored twice is one entry
      });
    });
  }

  function list(userId) {
    return transaction([OUTBOX], "readonly", function (s) {
      return done(s[OUTBOX].getAll()).then(function (items) {
        return userId ? items.filter(function (item) { return item.userId === userId; }) : items;
      });
    });
  }

  function remove(seqs) {
    return transaction([OUTBOX], "readwrite", function (s) {
      return Promise.all(seqs.map(function (seq) { return done(s[OUTBOX].delete(seq)); }));
    });
  }

  function toAttention(item, errors) {
    return transaction([OUTBOX, ATTENTION], "readwrite", function (s) {
      var entry = Object.assign({}, item, { errors: errors, refusedAt: new Date().toISOString() });
      delete entry.seq;
      return Promise.all([done(s[OUTBOX].delete(item.seq)), done(s[ATTENTION].put(entry))]);
    });
  }

  function listAttention(userId) {
    return transaction([ATTENTION], "readonly", function (s) {
      return done(s[ATTENTION].getAll()).then(function (items) {
        return userId ? items.filter(function (item) { return item.userId === userId; }) : items;
      });
    });
  }

  function discard(key) {
    return transaction([ATTENTION], "readwrite", function (s) { return done(s[ATTENTION].delete(key)); });
  }

  // A person fixed a refused write: it goes back in the queue as a new act (a new key, since
  // the server keeps its answer to the old one), keeping when it was first made.
  function requeue(item, changes) {
    return transaction([OUTBOX, ATTENTION], "readwrite", function (s) {
      var again = Object.assign({}, item, changes || {}, {
        key: scope.crypto.randomUUID(), requeuedFrom: item.key, requeuedAt: new Date().toISOString(),
      });
      delete again.seq;
      delete again.errors;
      delete again.refusedAt;
      return Promise.all([done(s[ATTENTION].delete(item.key)), done(s[OUTBOX].add(again))]);
    });
  }

  function getMeta(name) {
    return transaction([META], "readonly", function (s) { return done(s[META].get(name)); });
  }

  function setMeta(name, value) {
    return transaction([META], "readwrite", function (s) { return done(s[META].put(value, name)); });
  }

  scope.RazemStore = {
    add: add, list: list, remove: remove, toAttention: toAttention, listAttention: listAttention,
    discard: discard, requeue: requeue, getMeta: getMeta, setMeta: setMeta,
  };
})(self);
