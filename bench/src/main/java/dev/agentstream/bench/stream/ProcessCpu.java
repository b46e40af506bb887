package dev.agentstream.bench.stream;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of this process (the job, the load generator and the consumer) and of the broker's
 * process, read at the start and end of a measured phase.
 */
final class ProcessCpu {

    /** Linux's USER_HZ, the unit of /proc/[pid]/stat. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private final long brokerPid;
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    ProcessCpu(long brokerPid) {
        this.brokerPid = brokerPid;
    }

    /** CPU nanoseconds so far: this process, the broker (-1 when /proc cannot tell). */
    long[] sample() {
        return new long[] {os.getProcessCpuTime(), brokerNanos()};
    }

    private long brokerNanos() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(brokerPid), "stat"));
            // Fields after the command name in parentheses: utime is the 14th, stime the 15th.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
