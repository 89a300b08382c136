/** Placeholder while the screen is built. */
export default function TradingScreen() {
  return (
    <div className="page">
      <h1>Trading</h1>
    </div>
  );
}
