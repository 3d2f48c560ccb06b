/* SPDX-License-Identifier: MIT */
// Lock sites that g++ -O2 inlines away: two lambdas run by std::thread
// call a static member function and a member of a class template in a
// namespace, which lock a std::mutex and a std::shared_mutex. All of it is
// inlined into libstdc++'s std::thread::_State_impl<...>::_M_run, where the
// only ELF symbol is; the profile names Hidden::go and ns::Tmpl<int>::run
// only from the DWARF's inline frames.
//
// The main thread holds each lock while the lambda's thread waits on it.
// Output: wait <site> <waits> <total ns>, as measured around the lock.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <shared_mutex>
#include <thread>

using namespace std::chrono;

static long rounds = 50;
static const auto hold = microseconds(300);
static std::mutex m;
static std::shared_mutex sm;
static std::atomic<long> held{0}, done{0};
static long long waited[2];

static void await(std::atomic<long> &c, long round)
{
	while (c.load() < round)
		std::this_thread::sleep_for(microseconds(5));
}

static long long since(steady_clock::time_point t0)
{
	return duration_cast<nanoseconds>(steady_clock::now() - t0).count();
}

struct Hidden {
	static void go()
	{
		auto t0 = steady_clock::now();
		std::lock_guard<std::mutex> g(m);
		waited[0] += since(t0);
	}
};

namespace ns {
template <class T> struct Tmpl {
	static void run()
	{
		auto t0 = steady_clock::now();
		std::shared_lock<std::shared_mutex> l(sm);
		waited[1] += since(t0);
	}
};
} // namespace ns

// The main thread's side: hold `lock` in each round until the other
// thread has waited on it.
template <class Lock> static void hold_rounds(Lock &lock, long base)
{
	for (long i = base + 1; i <= base + rounds; i++) {
		lock.lock();
		held = i;
		std::this_thread::sleep_for(hold);
		lock.unlock();
		await(done, i);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1)
		rounds = std::atol(argv[1]);
	std::thread a([] {
		for (long i = 1; i <= rounds; i++) {
			await(held, i);
			Hidden::go();
			done = i;
		}
	});
	hold_rounds(m, 0);
	a.join();
	std::thread b([] {
		for (long i = rounds + 1; i <= 2 * rounds; i++) {
			await(held, i);
			ns::Tmpl<int>::run();
			done = i;
		}
	});
	hold_rounds(sm, rounds);
	b.join();
	std::printf("wait Hidden::go %ld %lld\n", rounds, waited[0]);
	std::printf("wait ns::Tmpl<int>::run %ld %lld\n", rounds, waited[1]);
	return 0;
}
