cask "hello" do
  version "1.2.3"
  sha256 "0e37b0316dc64af3961d817dc9c305b769b0982fcb9386c4f38db5cff2c1f38c"

  url "https://github.com/example/hello/releases/download/v1.2.3/hello_1.2.3_darwin_universal.app.zip"
  name "Hello Desktop"
  desc "Small greeter"
  homepage "https://example.com/hello"

  depends_on macos: :monterey

  app "Hello Desktop.app"
end
