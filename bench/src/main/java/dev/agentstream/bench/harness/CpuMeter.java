package dev.agentstream.bench.harness;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * Where the CPU went during a round: this process (split into the server's threads and the rest,
 * which is the client under test, the harness and the JVM's own threads) and the other processes of
 * the machine. The last tells whether someone else's build ran during a round; it is read from
 * {@code /proc/stat} and unknown elsewhere.
 */
final class CpuMeter {

    /** A point in time; differences of two are a round's usage. */
    record Sample(long wallNanos, long processNanos, long serverNanos, long machineBusyNanos) {}

    /**
     * CPU time of a round.
     *
     * @param otherCores cores that other processes kept busy on average, or -1 when unknown
     */
    record Usage(long processNanos, long serverNanos, double otherCores) {

        long clientNanos() {
            return Math.max(0, processNanos - serverNanos);
        }
    }

    /** Linux's USER_HZ, the unit of /proc/stat; 100 on every kernel configuration we run. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private static final Path PROC_STAT = Path.of("/proc/stat");

    private final Predicate<String> serverThread;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final com.sun.management.OperatingSystemMXBean os;

    CpuMeter(Predicate<String> serverThread) {
        this.serverThread = serverThread;
        this.os =
                ManagementFactory.getOperatingSystemMXBean()
                                instanceof com.sun.management.OperatingSystemMXBean sun
                        ? sun
                        : null;
    }

    Sample sample() {
        return new Sample(
                System.nanoTime(),
                os == null ? -1 : os.getProcessCpuTime(),
                serverThreadsNanos(),
                machineBusyNanos());
    }

    static Usage between(Sample from, Sample to) {
        long process =
                from.processNanos() < 0 || to.processNanos() < 0
                        ? 0
                        : to.processNanos() - from.processNanos();
        long server = to.serverNanos() - from.serverNanos();
        double other = -1;
        if (from.machineBusyNanos() >= 0 && to.machineBusyNanos() >= 0) {
            long busy = to.machineBusyNanos() - from.machineBusyNanos();
            long wall = Math.max(1, to.wallNanos() - from.wallNanos());
            other = Math.max(0, (double) (busy - process) / wall);
        }
        return new Usage(process, server, other);
    }

    /** CPU time of the live server threads; the server's pools keep theirs for the whole run. */
    private long serverThreadsNanos() {
        if (!threads.isThreadCpuTimeSupported() || !threads.isThreadCpuTimeEnabled()) {
            return 0;
        }
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && serverThread.test(info.getThreadName())) {
                long nanos = threads.getThreadCpuTime(info.getThreadId());
                total += Math.max(0, nanos);
            }
        }
        return total;
    }

    /**
     * Time all cores spent in user and system mode since boot, or -1. Interrupt time is left out:
     * the kernel does not charge it to any process, and on loopback much of it is our own traffic.
     */
    private static long machineBusyNanos() {
        try {
            String[] f = Files.readAllLines(PROC_STAT).get(0).trim().split("\\s+");
            if (!"cpu".equals(f[0]) || f.length < 4) {
                return -1;
            }
            long ticks = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]);
            return ticks * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
