package dev.odin.ws.shard.ws;

import java.util.ArrayList;
import java.util.List;

/**
 * The established sessions of one event loop: an array with O(1) removal (each session keeps its
 * slot), swept for idleness by a task of that loop. Confined to its loop, so no locking.
 */
final class LoopSessions {
  private ClientSession[] sessions = new ClientSession[64];
  private int size;

  void add(ClientSession session) {
    if (size == sessions.length) {
      ClientSession[] grown = new ClientSession[size * 2];
      System.arraycopy(sessions, 0, grown, 0, size);
      sessions = grown;
    }
    session.slot = size;
    sessions[size++] = session;
  }

  void remove(ClientSession session) {
    int slot = session.slot;
    if (slot < 0 || slot >= size || sessions[slot] != session) {
      return;
    }
    int last = --size;
    if (slot != last) {
      sessions[slot] = sessions[last];
      sessions[slot].slot = slot;
    }
    sessions[last] = null;
    session.slot = -1;
  }

  /** Backwards: a session closed by the sweep removes itself by swapping in the last, already-swept, one. */
  void sweep(long nowNanos) {
    for (int i = size - 1; i >= 0; i--) {
      if (i < size) {
        sessions[i].checkIdle(nowNanos);
      }
    }
  }

  List<ClientSession> snapshot() {
    List<ClientSession> copy = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      copy.add(sessions[i]);
    }
    return copy;
  }
}
