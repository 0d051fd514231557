"""Python's multiprocessing "spawn" start method, the mechanism of the
frozen-app worker bundle replaces: time Process.start() until the child's
target runs, n times, and print the median and 90th percentile."""
import multiprocessing as mp
import statistics
import sys
import time


def target(conn):
    conn.send(1)
    conn.recv()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    ctx = mp.get_context("spawn")
    times = []
    for _ in range(n):
        parent, child = ctx.Pipe()
        start = time.perf_counter()
        p = ctx.Process(target=target, args=(child,))
        p.start()
        parent.recv()
        times.append(time.perf_counter() - start)
        parent.send(0)
        p.join(5)
    times.sort()
    print("multiprocessing spawn -> target running: median %.2f ms, p90 %.2f ms (n=%d)"
          % (statistics.median(times) * 1000, times[len(times) * 9 // 10] * 1000, n))


if __name__ == "__main__":
    main()
