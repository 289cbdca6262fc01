import { useState } from 'react';

// Holds state (useState): edit the label and Fast Refresh keeps the count.
export function Counter() {
  const [count, setCount] = useState(0);
  return (
    <p>
      <button id="increment" type="button" onClick={() => setCount((n) => n + 1)}>
        Count
      </button>{' '}
      <output id="count">{count}</output>
    </p>
  );
}
