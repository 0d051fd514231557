cask "hello" do
  arch arm: "arm64", intel: "amd64"

  version "1.2.3"
  sha256 arm:   "61e9913ef1a8f852ee36bd89bbfeeb206ac22575f196d3477933a4f87ec50ae6",
         intel: "e969a37ecdf87a4cc2004192e202cabb058f09bfdf3ac576bb1177c5ae69661a"

  url "https://github.com/example/hello/releases/download/v1.2.3/hello_1.2.3_darwin_#{arch}.tar.gz"
  name "Hello Desktop"
  desc "Small greeter"
  homepage "https://example.com/hello"

  depends_on macos: :monterey

  binary "hello_1.2.3_darwin_#{arch}/hello", target: "hello"
end
