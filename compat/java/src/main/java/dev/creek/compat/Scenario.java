package dev.creek.compat;

/** One compat scenario: returns when every check held, throws when one did not. */
@FunctionalInterface
public interface Scenario {
  void run(Ctx ctx) throws Exception;
}
