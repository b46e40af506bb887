package dev.agentstream.bench.stream;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A JDK Flight Recorder profile of a measured phase (the JDK's own "profile" settings: CPU samples
 * every 10-20 ms), written as a .jfr file for JDK Mission Control and summarised as text: where the
 * CPU samples fall by thread (a Flink task's thread is named after its operator chain), by the
 * sampled method, and by the first frame of the job's own code on the stack.
 */
final class Profile implements AutoCloseable {

    private static final int TOP = 25;
    private static final int THREADS_IN_DETAIL = 8;
    private static final int OWN_PER_THREAD = 8;

    private final Recording recording;
    private final Path file;
    private boolean closed;

    private Profile(Recording recording, Path file) {
        this.recording = recording;
        this.file = file;
    }

    /** Starts recording; {@link #close()} stops it and writes {@code file} and its summary. */
    static Profile start(Path file) throws IOException {
        try {
            Recording r = new Recording(Configuration.getConfiguration("profile"));
            r.setToDisk(true);
            r.start();
            return new Profile(r, file);
        } catch (ParseException e) {
            throw new IOException("the JDK's profile settings cannot be read", e);
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        recording.stop();
        Files.createDirectories(file.toAbsolutePath().getParent());
        recording.dump(file);
        recording.close();
        Path summary = file.resolveSibling(file.getFileName().toString().replace(".jfr", ".txt"));
        Files.writeString(summary, summarise(file));
    }

    static String summarise(Path jfr) throws IOException {
        Map<String, Long> byThread = new HashMap<>();
        Map<String, Long> byMethod = new HashMap<>();
        Map<String, Long> byOwnCode = new HashMap<>();
        Map<String, Map<String, Long>> ownCodeByThread = new HashMap<>();
        long samples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            RecordedStackTrace stack = e.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            samples++;
            String thread = threadName(e);
            byThread.merge(threadGroup(thread), 1L, Long::sum);
            List<RecordedFrame> frames = stack.getFrames();
            byMethod.merge(name(frames.get(0)), 1L, Long::sum);
            String own = "(none of dev.agentstream on the stack)";
            for (RecordedFrame f : frames) {
                if (f.isJavaFrame()
                        && f.getMethod().getType().getName().startsWith("dev.agentstream.")) {
                    own = name(f);
                    break;
                }
            }
            byOwnCode.merge(own, 1L, Long::sum);
            ownCodeByThread
                    .computeIfAbsent(threadGroup(thread), k -> new HashMap<>())
                    .merge(own, 1L, Long::sum);
        }
        StringBuilder out = new StringBuilder();
        out.append("CPU samples: ").append(samples).append('\n');
        table(out, "by thread (task threads are named after their chain)", byThread, samples);
        table(out, "by sampled method", byMethod, samples);
        table(out, "by the innermost frame of dev.agentstream code", byOwnCode, samples);
        for (String thread : top(byThread, THREADS_IN_DETAIL).keySet()) {
            table(
                    out,
                    "in " + thread + ", by the innermost frame of ours",
                    top(ownCodeByThread.get(thread), OWN_PER_THREAD),
                    samples);
        }
        return out.toString();
    }

    private static String threadName(RecordedEvent e) {
        var thread = e.getThread("sampledThread");
        if (thread == null) {
            return "(unknown)";
        }
        return thread.getJavaName() != null ? thread.getJavaName() : thread.getOSName();
    }

    /** A Flink task thread's name without its subtask index; pools without their number. */
    private static String threadGroup(String thread) {
        String t = thread.replaceAll(" \\(\\d+/\\d+\\)#\\d+$", "");
        return t.replaceAll("[-#]\\d+$", "");
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static Map<String, Long> top(Map<String, Long> counts, int n) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(n)
                .collect(
                        Collectors.toMap(
                                Map.Entry::getKey,
                                Map.Entry::getValue,
                                (a, b) -> a,
                                LinkedHashMap::new));
    }

    private static void table(StringBuilder out, String title, Map<String, Long> counts, long all) {
        out.append('\n').append(title).append(":\n");
        for (Map.Entry<String, Long> e : top(counts, TOP).entrySet()) {
            out.append(
                    String.format(
                            Locale.ROOT,
                            "  %5.1f %%  %s%n",
                            100.0 * e.getValue() / Math.max(1, all),
                            e.getKey()));
        }
    }
}
