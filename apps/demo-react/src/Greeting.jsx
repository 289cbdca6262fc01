// Edit the text: Fast Refresh re-renders this component; the counter keeps its count.
export function Greeting() {
  return <h1 id="greeting">Hello from React</h1>;
}
