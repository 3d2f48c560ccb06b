/* SPDX-License-Identifier: MIT */
// The standard library's locks go through the same pthread calls:
// std::mutex, std::timed_mutex, std::shared_mutex, std::condition_variable
// (wait and wait_for). Each waiting site times itself, like selftimed.c.
//
// Output: wait <function> <contended waits> <total ns>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <shared_mutex>
#include <thread>

using namespace std::chrono;

#define NOINLINE __attribute__((noinline))

static long rounds = 100;
static const auto hold = microseconds(300);

struct result {
	long count = 0;
	long long total = 0;
	void add(steady_clock::time_point t0)
	{
		long long d = duration_cast<nanoseconds>(steady_clock::now() - t0).count();
		if (d > 2000)
			count++;
		total += d;
	}
};

// Round-counting handshake: the holder announces a round once it holds.
struct handshake {
	std::atomic<long> announced{0}, finished{0};
	void await(std::atomic<long> &c, long round)
	{
		while (c.load() < round)
			std::this_thread::sleep_for(microseconds(5));
	}
};

static std::mutex m;
static std::timed_mutex tm;
static std::shared_mutex sm;
static std::mutex cvm;
static std::condition_variable cv;
static bool ready;

template <class Lock, class Wait>
static void pair_run(Lock &lock, Wait wait, result &r)
{
	handshake h;
	std::thread holder([&] {
		for (long i = 1; i <= rounds; i++) {
			lock.lock();
			h.announced = i;
			std::this_thread::sleep_for(hold);
			lock.unlock();
			h.await(h.finished, i);
		}
	});
	for (long i = 1; i <= rounds; i++) {
		h.await(h.announced, i);
		wait(r);
		h.finished = i;
	}
	holder.join();
}

static NOINLINE void cxx_mutex_wait(result &r)
{
	auto t0 = steady_clock::now();
	m.lock();
	r.add(t0);
	m.unlock();
	asm volatile("");
}

static NOINLINE void cxx_timed_mutex_wait(result &r)
{
	auto t0 = steady_clock::now();
	if (!tm.try_lock_for(seconds(10)))
		std::abort();
	r.add(t0);
	tm.unlock();
	asm volatile("");
}

static NOINLINE void cxx_shared_wait(result &r)
{
	auto t0 = steady_clock::now();
	sm.lock_shared();
	r.add(t0);
	sm.unlock_shared();
	asm volatile("");
}

static handshake *cv_hs;

static NOINLINE void cxx_cv_wait(result &r)
{
	std::unique_lock<std::mutex> l(cvm);
	cv_hs->announced++;
	while (!ready) {
		auto t0 = steady_clock::now();
		cv.wait(l);
		r.add(t0);
	}
	ready = false;
}

static NOINLINE void cxx_cv_wait_for(result &r)
{
	std::unique_lock<std::mutex> l(cvm);
	cv_hs->announced++;
	while (!ready) {
		auto t0 = steady_clock::now();
		cv.wait_for(l, seconds(10));
		r.add(t0);
	}
	ready = false;
}

static void cv_pair(result &r, void (*wait)(result &))
{
	handshake h;
	cv_hs = &h;
	std::thread signaler([&] {
		for (long i = 1; i <= rounds; i++) {
			h.await(h.announced, i);
			std::this_thread::sleep_for(hold);
			{
				std::lock_guard<std::mutex> g(cvm);
				ready = true;
			}
			cv.notify_one();
			h.await(h.finished, i);
		}
	});
	for (long i = 1; i <= rounds; i++) {
		wait(r);
		h.finished = i;
	}
	signaler.join();
}

int main(int argc, char **argv)
{
	result rm, rt, rs, rc, rcf;

	if (argc > 1)
		rounds = std::atol(argv[1]);
	pair_run(m, cxx_mutex_wait, rm);
	pair_run(tm, cxx_timed_mutex_wait, rt);
	pair_run(sm, cxx_shared_wait, rs);
	cv_pair(rc, cxx_cv_wait);
	cv_pair(rcf, cxx_cv_wait_for);
	std::printf("wait cxx_mutex_wait %ld %lld\n", rm.count, rm.total);
	std::printf("wait cxx_timed_mutex_wait %ld %lld\n", rt.count, rt.total);
	std::printf("wait cxx_shared_wait %ld %lld\n", rs.count, rs.total);
	std::printf("wait cxx_cv_wait %ld %lld\n", rc.count, rc.total);
	std::printf("wait cxx_cv_wait_for %ld %lld\n", rcf.count, rcf.total);
	return 0;
}
