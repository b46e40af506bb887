package dev.agentstream.devtools.state;

import dev.agentstream.udfs.context.ContextSlot;
import dev.agentstream.udfs.registry.RouteLink;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.Map;

/** How the state tool prints a thread. */
final class ThreadText {

    private ThreadText() {}

    /** The registry link in one phrase: "-" when the thread is no subthread. */
    static String link(ThreadView thread) {
        if (thread.link().isEmpty()) {
            return "-";
        }
        RouteLink call = thread.link().get();
        return "call "
                + call.beforeLast()
                + " -> "
                + call.last()
                + " from "
                + call.peer
                + (call.answered ? " (answered)" : " (open)");
    }

    static void print(ThreadView t, boolean payloads, PrintWriter out) {
        out.printf("thread %s of tenant %s%n", t.thread(), t.tenant());
        if (t.head() != null) {
            out.printf(
                    "  slots %d held (seq %d..%d), turns %d, tokens %d%n",
                    t.slots().size(),
                    t.head().firstSeq,
                    t.head().nextSeq - 1,
                    t.head().turns,
                    t.head().tokens);
        }
        out.printf("  link: %s%n", link(t));
        t.link()
                .ifPresent(
                        call ->
                                out.printf(
                                        "  root %s, chain %s%n",
                                        call.root, String.join(" > ", call.chain)));
        for (Map.Entry<String, Long> busy : t.busy().entrySet()) {
            out.printf(
                    "  in flight: %s since %s%n",
                    busy.getKey(), Instant.ofEpochMilli(busy.getValue()));
        }
        for (Map.Entry<Long, String> waiting : t.waiting().entrySet()) {
            out.printf("  waiting: slot %d for %s%n", waiting.getKey(), waiting.getValue());
        }
        out.printf(
                "  answers taken %d, timers %d, last write %s%n",
                t.answersTaken(), t.timers().length, Instant.ofEpochMilli(t.lastWrite()));
        for (ThreadView.Slot s : t.slots()) {
            ContextSlot slot = s.slot();
            out.printf(
                    "  #%-4d %s -> %s  <%s>  %d tokens  %s%n",
                    slot.seq,
                    slot.from,
                    slot.to == null ? "-" : slot.to,
                    slot.payloadRoot,
                    slot.tokens,
                    Instant.ofEpochMilli(slot.appendedAt));
            if (payloads) {
                out.printf("        %s%n", slot.payloadXml);
            }
        }
    }
}
