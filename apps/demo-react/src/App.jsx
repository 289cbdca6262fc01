import { Counter } from './Counter';
import { Greeting } from './Greeting';

export function App() {
  return (
    <main>
      <Greeting />
      <Counter />
    </main>
  );
}
