# DllMain of the stand-in bcryptprimitives.dll: succeed, do nothing.
.text
.globl DllMain
DllMain:
  mov $1, %eax
  ret
