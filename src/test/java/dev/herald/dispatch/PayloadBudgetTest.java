package dev.herald.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PayloadBudgetTest {
  static final Duration NO_WAIT = Duration.ofMillis(10);

  @Test
  void payloads_take_room_until_the_budget_is_spent_and_give_it_back() throws Exception {
    PayloadBudget budget = new PayloadBudget(8 * 1024);

    Runnable first = budget.acquire(5 * 1024, NO_WAIT);
    assertThat(first).isNotNull();
    assertThat(budget.inUse()).isEqualTo(5 * 1024);
    assertThat(budget.acquire(4 * 1024, NO_WAIT)).isNull();
    assertThat(budget.inUse()).isEqualTo(5 * 1024);

    first.run();
    first.run();
    assertThat(budget.inUse()).isZero();
    assertThat(budget.acquire(4 * 1024, NO_WAIT)).isNotNull();
  }

  @Test
  void a_payload_larger_than_the_whole_budget_goes_alone() throws Exception {
    PayloadBudget budget = new PayloadBudget(4 * 1024);

    Runnable huge = budget.acquire(1_000_000, NO_WAIT);

    assertThat(huge).isNotNull();
    assertThat(budget.inUse()).isEqualTo(4 * 1024);
    assertThat(budget.acquire(1, NO_WAIT)).isNull();
    huge.run();
    assertThat(budget.acquire(1, NO_WAIT)).isNotNull();
  }

  @Test
  void an_empty_payload_still_counts_one_unit() throws Exception {
    PayloadBudget budget = new PayloadBudget(1024);

    assertThat(budget.acquire(0, NO_WAIT)).isNotNull();
    assertThat(budget.acquire(0, NO_WAIT)).isNull();
  }
}
